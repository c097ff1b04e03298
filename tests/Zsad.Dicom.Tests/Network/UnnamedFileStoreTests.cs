using Microsoft.Win32.SafeHandles;
using Zsad.Dicom.IO;
using Zsad.Dicom.Network;

namespace Zsad.Dicom.Tests.Network;

/// <summary>The SCP's store through unnamed files opened ahead (O_TMPFILE, <see cref="UnnamedFilePool"/>): a file
/// appears under its final name only whole, the store falls back to temporary files when unnamed files are refused,
/// and no descriptor outlives the pool.</summary>
public sealed class UnnamedFileStoreTests
{
    [Fact]
    public async Task UnnamedFiles_EveryFileUnderAFinalNameIsWhole_WhileFourAssociationsStore()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 80);
        var rx = dir.Sub("rx");
        using var pool = PoolIn(rx);
        var store = new Part10FolderStore(rx, flushToDisk: false, pool);
        var sent = files.Select(f => DicomFile.Open(f)).ToDictionary(f => f.Dataset.GetRequiredString(DicomTags.SOPInstanceUID));

        using var storing = new CancellationTokenSource();
        var seenWhole = 0;
        // reads every final name while the instances arrive: a half-written file would show up short or unparsable
        var watcher = Task.Run(() =>
        {
            var problems = new List<string>();
            while (!storing.IsCancellationRequested)
            {
                foreach (var path in Directory.EnumerateFiles(rx, "*.dcm"))
                {
                    var file = DicomFile.Open(path);
                    var pixels = file.Dataset.GetBytes(DicomTags.PixelData);
                    if (pixels.Length != 64 * 64 * 2)
                        problems.Add($"{Path.GetFileName(path)}: {pixels.Length} pixel bytes");
                    else
                        seenWhole++;
                }
            }
            return problems;
        });
        await using (var server = NetworkFixtures.StartServer(rx, store: store.StoreAsync))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(k =>
                new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 })
                    .StoreFilesAsync(files.Where((_, i) => i % 4 == k))));
            Assert.All(results.SelectMany(r => r), r => Assert.True(r.IsStored, r.ToString()));
        }
        await storing.CancelAsync();
        Assert.Empty(await watcher);
        Assert.True(seenWhole > 0, "the watcher never read a stored file");

        Assert.Equal(files.Count, pool.Taken); // every instance went through an unnamed file, none through the fallback
        Assert.Equal(files.Count, Directory.EnumerateFiles(rx).Count()); // no temporary file
        foreach (var (uid, stored) in NetworkFixtures.ReadFolder(rx))
            NetworkFixtures.AssertSameDataset(sent[uid].Dataset, stored.Dataset, uid + " ");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnnamedFilesRefusedAfterThree_RemainingInstancesGoThroughTemporaryFiles(bool flushToDisk)
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 12);
        var rx = dir.Sub("rx");
        var opened = 0;
        // stands in for a filesystem that stops giving unnamed files (descriptors exhausted, folder removed)
        SafeFileHandle? ThreeThenRefuse(string folder)
            => Interlocked.Increment(ref opened) <= 3 ? UnnamedFilePool.OpenUnnamed(folder) : null;
        using var pool = UnnamedFilePool.TryCreate(rx, depth: 2, ThreeThenRefuse, out var refusal)!;
        Assert.Null(refusal);
        var store = new Part10FolderStore(rx, flushToDisk, pool);

        await using (var server = NetworkFixtures.StartServer(rx, store: store.StoreAsync))
        {
            var results = await new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 })
                .StoreFilesAsync(files);
            Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
        }

        Assert.Equal(3, pool.Taken); // three through unnamed files, nine through the fallback
        Assert.Equal(files.Count, Directory.EnumerateFiles(rx).Count()); // and no temporary file left by either
        var stored = NetworkFixtures.ReadFolder(rx);
        foreach (var f in files.Select(f => DicomFile.Open(f)))
        {
            var uid = f.Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
            NetworkFixtures.AssertSameDataset(f.Dataset, stored[uid].Dataset, uid + " ");
        }
    }

    [Fact]
    public void UnnamedFilesRefusedOutright_TryCreateReturnsNullWithTheReason()
    {
        using var dir = new TempDir();
        var pool = UnnamedFilePool.TryCreate(dir.Path, depth: 4, _ => null, out var refusal);
        Assert.Null(pool);
        Assert.StartsWith($"open(O_TMPFILE) in {dir.Path} refused", refusal);
    }

    [Fact]
    public async Task ServerStoppedAndPoolDisposed_NoDescriptorIsLeftOpenInTheFolder()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 10);
        var rx = dir.Sub("rx");
        var pool = PoolIn(rx, depth: 4);
        var store = new Part10FolderStore(rx, flushToDisk: true, pool);
        await using (var server = NetworkFixtures.StartServer(rx, store: store.StoreAsync))
        {
            var results = await new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 })
                .StoreFilesAsync(files);
            Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
            await server.StopAsync();
        }
        // The refiller tops the pool up once half of it is taken, so 3 or 4 files wait at the end, depending on how
        // the takes fell against the refills; the check sees the ready files (it can fail) once no open is in flight.
        WaitUntil(() => pool.Ready is var ready && ready > 2 && OpenDescriptorsUnder(rx) == ready && pool.Ready == ready);

        pool.Dispose();

        Assert.Equal(0, OpenDescriptorsUnder(rx));
        Assert.Null(pool.Take()); // a store still holding the pool falls back instead of reopening
        Assert.Equal(files.Count, Directory.EnumerateFiles(rx).Count()); // closing unnamed files left nothing on disk
    }

    [Fact]
    public void LinkOverAnExistingName_ReplacesTheFileWhole()
    {
        using var dir = new TempDir();
        var target = dir.File("1.2.3.dcm");
        File.WriteAllBytes(target, new byte[100]);
        using var pool = PoolIn(dir.Path, depth: 1);
        using (var file = pool.Take()!)
        {
            RandomAccess.Write(file.Handle, "resent"u8, 0);
            file.Link(target);
        }
        Assert.Equal("resent"u8.ToArray(), File.ReadAllBytes(target));
        Assert.Equal([target], Directory.EnumerateFiles(dir.Path)); // the temporary name of the replacement is gone
    }

    private static UnnamedFilePool PoolIn(string folder, int depth = UnnamedFilePool.DefaultDepth)
    {
        var pool = UnnamedFilePool.TryCreate(folder, out var refusal, depth);
        Assert.True(pool is not null, $"this system refuses unnamed files: {refusal}");
        return pool;
    }

    /// <summary>Descriptors of this process that point into <paramref name="folder"/> (an unnamed file reads as
    /// "folder/#inode (deleted)").</summary>
    private static int OpenDescriptorsUnder(string folder)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(folder + "/", StringComparison.Ordinal))
                    count++;
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }
        return count;
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!condition() && Environment.TickCount64 < deadline)
            Thread.Sleep(10);
        Assert.True(condition(), "condition not reached within 10 s");
    }
}
