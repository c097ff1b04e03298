using System.Buffers.Binary;
using System.Reflection;
using System.Text;
using Zsad.Tools.Fatbin;

namespace Zsad.Tools.Tests;

/// <summary>The .nv_fatbin parser and blanker on a shared library that gcc links from a fatbin written here (two
/// containers: sm_75 + sm_90 cubins + PTX, then an sm_120 cubin after alignment padding), and on ONNX Runtime's
/// real CUDA provider.</summary>
public sealed class FatbinImageTests : IDisposable
{
    private static readonly (FatbinEntryKind Kind, int Arch, byte Fill, int Length)[][] Containers =
    [
        [(FatbinEntryKind.Cubin, 75, 0x75, 40), (FatbinEntryKind.Cubin, 90, 0x90, 56), (FatbinEntryKind.Ptx, 90, 0x33, 24)],
        [(FatbinEntryKind.Cubin, 120, 0xC0, 32)],
    ];

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_lists_every_entry_of_every_container_with_its_architecture_and_payload()
    {
        var file = BuildLibrary();
        var image = FatbinImage.Read(file);

        Assert.Equal(2, image.ContainerCount);
        Assert.Equal(Containers.SelectMany(c => c).Select(e => (e.Kind, e.Arch, (long)e.Length)),
            image.Entries.Select(e => (e.Kind, e.Arch, e.PayloadLength)));
        foreach (var (entry, expected) in image.Entries.Zip(Containers.SelectMany(c => c)))
            Assert.All(file.AsSpan((int)entry.PayloadOffset, (int)entry.PayloadLength).ToArray(), b => Assert.Equal(expected.Fill, b));
    }

    [Fact]
    public void Blank_zeroes_only_the_payloads_of_other_architectures_and_keeps_every_other_byte()
    {
        var original = BuildLibrary();
        var blanked = (byte[])original.Clone();
        var image = FatbinImage.Read(original);

        var zeroed = image.Blank(blanked, new HashSet<int> { 90 }, keepPtx: true);

        Assert.Equal(40 + 32, zeroed);
        Assert.Equal(original.Length, blanked.Length);
        var cleared = image.Entries.Where(e => e.Arch != 90).ToList();
        for (var i = 0; i < original.Length; i++)
        {
            var inCleared = cleared.Any(e => i >= e.PayloadOffset && i < e.PayloadOffset + e.PayloadLength);
            Assert.Equal(inCleared ? (byte)0 : original[i], blanked[i]);
        }
        // The blanked file still parses to the same entries: headers are untouched.
        Assert.Equal(image.Entries, FatbinImage.Read(blanked).Entries);
    }

    [Fact]
    public void Blank_without_ptx_zeroes_the_ptx_too()
    {
        var file = BuildLibrary();
        var image = FatbinImage.Read(file);

        image.Blank(file, new HashSet<int> { 90 }, keepPtx: false);

        var ptx = image.Entries.Single(e => e.Kind == FatbinEntryKind.Ptx);
        Assert.All(file.AsSpan((int)ptx.PayloadOffset, (int)ptx.PayloadLength).ToArray(), b => Assert.Equal(0, b));
        var sm90 = image.Entries.Single(e => e.Kind == FatbinEntryKind.Cubin && e.Arch == 90);
        Assert.All(file.AsSpan((int)sm90.PayloadOffset, (int)sm90.PayloadLength).ToArray(), b => Assert.Equal(0x90, b));
    }

    [Fact]
    public void A_broken_container_magic_is_refused_with_its_offset()
    {
        var file = BuildLibrary();
        var image = FatbinImage.Read(file);
        var second = image.Entries.Single(e => e.Arch == 120).HeaderOffset - 16;
        file[second] ^= 0xFF;

        var ex = Assert.Throws<FatbinFormatException>(() => FatbinImage.Read(file));
        Assert.Equal($"no fatbin container magic at offset {second} (0x{second:x}) of the .nv_fatbin section", ex.Message);
    }

    [Fact]
    public void An_entry_longer_than_its_container_is_refused_with_its_offset()
    {
        var file = BuildLibrary();
        var entry = FatbinImage.Read(file).Entries[1];
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan((int)entry.HeaderOffset + 8), 4096);

        var ex = Assert.Throws<FatbinFormatException>(() => FatbinImage.Read(file));
        Assert.Equal($"fatbin entry at offset {entry.HeaderOffset} (0x{entry.HeaderOffset:x}) runs past the end of its container", ex.Message);
    }

    [Fact]
    public void A_file_that_is_not_elf_or_has_no_fatbin_is_refused()
    {
        Assert.Equal("not an ELF file (no \\x7fELF at offset 0)",
            Assert.Throws<FatbinFormatException>(() => FatbinImage.Read(new byte[128])).Message);
        var plain = Compile("int answer(void) { return 42; }\n");
        Assert.Equal("the file has no .nv_fatbin section", Assert.Throws<FatbinFormatException>(() => FatbinImage.Read(plain)).Message);
    }

    [Fact]
    public void The_onnx_runtime_cuda_provider_parses_and_has_hopper_cubins()
    {
        var path = typeof(FatbinImageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "OnnxRuntimeCudaProvider").Value!;
        var file = File.ReadAllBytes(path);

        var image = FatbinImage.Read(file);

        Assert.True(image.ContainerCount > 100, $"{image.ContainerCount} containers");
        Assert.Contains(image.Entries, e => e.Kind == FatbinEntryKind.Cubin && e.Arch == 90);
        Assert.Contains(image.Entries, e => e.Arch != 90);
        // Entries tile each container: every payload lies inside the section and none overlaps the next header.
        foreach (var (a, b) in image.Entries.Zip(image.Entries.Skip(1)))
            Assert.True(a.PayloadOffset + a.PayloadLength <= b.HeaderOffset, $"entry at {a.HeaderOffset} overlaps the next");
        Assert.True(image.Entries[^1].PayloadOffset + image.Entries[^1].PayloadLength <= image.SectionOffset + image.SectionLength);
    }

    /// <summary>A shared library whose .nv_fatbin section gcc fills with the containers above.</summary>
    private byte[] BuildLibrary()
    {
        var blob = new List<byte>();
        foreach (var container in Containers)
        {
            while (blob.Count % 8 != 0)
                blob.Add(0);
            var entries = new List<byte>();
            foreach (var (kind, arch, fill, length) in container)
            {
                var header = new byte[64];
                BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)kind);
                BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), 0x0101);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 64);
                BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), (ulong)length);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)arch);
                BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), 0x11);
                entries.AddRange(header);
                entries.AddRange(Enumerable.Repeat(fill, length));
            }
            var containerHeader = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(containerHeader, FatbinImage.ContainerMagic);
            BinaryPrimitives.WriteUInt16LittleEndian(containerHeader.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(containerHeader.AsSpan(6), 16);
            BinaryPrimitives.WriteUInt64LittleEndian(containerHeader.AsSpan(8), (ulong)entries.Count);
            blob.AddRange(containerHeader);
            blob.AddRange(entries);
            blob.Add(0); // a stray byte after the entries: the next container must be found at the next 8-byte boundary
        }
        var source = new StringBuilder("__attribute__((section(\".nv_fatbin\"), aligned(8), used))\nconst unsigned char fatbin[] = {");
        source.AppendJoin(',', blob.Select(b => $"0x{b:x2}"));
        source.Append("};\nint answer(void) { return 42; }\n");
        return Compile(source.ToString());
    }

    private byte[] Compile(string source)
    {
        var c = _dir.File($"lib{Guid.NewGuid():N}.c");
        File.WriteAllText(c, source);
        var so = Path.ChangeExtension(c, ".so");
        Peers.Run(Peers.Require("gcc", "gcc"), ["-shared", "-fPIC", "-O0", "-o", so, c]).EnsureSuccess("gcc");
        return File.ReadAllBytes(so);
    }
}
