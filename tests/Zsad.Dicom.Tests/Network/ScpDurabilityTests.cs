using System.Collections.Concurrent;
using System.Diagnostics;
using Zsad.Dicom.Network;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>The SCP's durable store (fsync before ack, through the group commit): every instance whose
/// C-STORE-RSP was sent is complete under its final name, also when the process is SIGKILLed while four
/// associations are sending. SIGKILL keeps the page cache, so what this proves is the order the RSP depends on
/// (data written and renamed before the RSP, never a partial file under a final name); the flushes themselves are
/// what a power cut would test.</summary>
public sealed class ScpDurabilityTests
{
    /// <remarks>Without fsync too: zsad scp writes into unnamed files opened ahead and links them, so the SIGKILL
    /// can also land between the write and the link.</remarks>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KilledWhileFourAssociationsSend_EveryAcknowledgedInstanceIsStoredWhole(bool fsync)
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 200);
        var rx = dir.File("rx");
        var port = NetworkFixtures.FreePort();
        // An AE title of its own: a sender of a parallel test still aiming at a port that was freed and handed to
        // this SCP is rejected instead of storing an instance this test never sent (CI saw one such stray once).
        var aet = $"DURABLE{Random.Shared.Next(1_000_000):D6}";
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "zsad.dll"), "scp", "--port", port.ToString(), "--aet", aet, "--out", rx, "--bind", "127.0.0.1" })
            psi.ArgumentList.Add(a);
        if (!fsync)
            psi.ArgumentList.Add("--no-fsync");
        using var scp = Process.Start(psi)!;
        var acked = new ConcurrentBag<string>();
        const int killAfter = 60;
        var count = 0;
        try
        {
            NetworkFixtures.WaitForPort(port, scp);
            var progress = new Recorder(r =>
            {
                if (!r.IsStored)
                    return;
                acked.Add(r.SopInstanceUid!);
                if (Interlocked.Increment(ref count) == killAfter)
                    scp.Kill(); // SIGKILL, with the other associations' instances in flight
            });
            var senders = Enumerable.Range(0, 4).Select(k => Task.Run(async () =>
            {
                var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAE = aet, MaxRetries = 0, DimseTimeout = TimeSpan.FromSeconds(20) });
                try
                {
                    await client.StoreFilesAsync(files.Where((_, i) => i % 4 == k), progress);
                }
                catch (Exception)
                {
                    // the SCP died under this sender: what it had acknowledged is checked below
                }
            })).ToArray();
            await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(scp.WaitForExit(10_000), "zsad scp was not killed");
            Assert.Contains("through unnamed files opened ahead", scp.StandardError.ReadToEnd()); // the path this tests
        }
        finally
        {
            if (!scp.HasExited)
                scp.Kill();
        }

        Assert.InRange(acked.Count, killAfter, files.Count - 1); // killed mid-transfer, after 60 acknowledgements
        var sent = files.Select(f => DicomFile.Open(f)).ToDictionary(f => f.Dataset.GetRequiredString(DicomTags.SOPInstanceUID));
        foreach (var uid in acked)
            Assert.True(File.Exists(Path.Combine(rx, uid + ".dcm")), $"acknowledged {uid} is not stored under its name");
        // every file under a final name (acknowledged or not yet) is whole: the dataset as sent
        foreach (var (uid, stored) in NetworkFixtures.ReadFolder(rx))
            NetworkFixtures.AssertSameDataset(sent[uid].Dataset, stored.Dataset, uid + " ");
    }

    [Fact]
    public async Task DurableStore_ConcurrentAssociations_StoreEveryInstanceWholeAndLeaveNoTemporaryFile()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 40);
        var rx = dir.File("rx");
        var store = new Part10FolderStore(rx, flushToDisk: true);
        await using var server = NetworkFixtures.StartServer(rx, store: store.StoreAsync);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(k =>
            new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 })
                .StoreFilesAsync(files.Where((_, i) => i % 4 == k))));
        Assert.All(results.SelectMany(r => r), r => Assert.True(r.IsStored, r.ToString()));
        Assert.Equal(files.Count, Directory.EnumerateFiles(rx).Count()); // no temporary file left
        var stored = NetworkFixtures.ReadFolder(rx);
        foreach (var f in files.Select(f => DicomFile.Open(f)))
        {
            var uid = f.Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
            NetworkFixtures.AssertSameDataset(f.Dataset, stored[uid].Dataset, uid + " ");
        }
    }

    private sealed class Recorder(Action<StoreResult> action) : IProgress<StoreResult>
    {
        public void Report(StoreResult value) => action(value);
    }
}
