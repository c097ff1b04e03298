using System.Security.Cryptography;
using System.Text;
using Zsad.Dicom.Codecs;
using Zsad.Dicom.Json;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Interop;

/// <summary>Zsad's reader and writer against real peers: files made by dcmtk and pydicom read to the same values
/// pydicom sees; files Zsad writes pass dcmdump, pydicom's strict mode and dciodvfy, with identical pixels.</summary>
public class PeerInteropTests
{
    private static Peers.Result Pydicom(string script, params string[] args)
    {
        Peers.RequirePythonModule("pydicom", "python3-pydicom");
        return Peers.RunScript(script, args);
    }

    private static void AssertReadsLikePydicom(string path)
    {
        var file = DicomFile.Open(path);
        var json = path + ".zsad.json";
        File.WriteAllText(json, DicomJsonWriter.Serialize(file.Dataset));
        Peers.RequirePythonModule("pydicom", "python3-pydicom");
        var r = Pydicom("compare_with_pydicom.py", path, json);
        Assert.True(r.ExitCode == 0, $"{Path.GetFileName(path)}: Zsad and pydicom disagree\n{r.StdOut}\n{r.StdErr}");
    }

    private static string PixelHash(DicomFile file)
    {
        var pixels = new DicomPixelData(file.Dataset, file.TransferSyntax);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < pixels.NumberOfFrames; i++)
            sha.AppendData(pixels.GetFrame(i).Span);
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    private static string PydicomPixelHash(string path)
    {
        Peers.RequirePythonModule("pydicom", "python3-pydicom");
        var r = Pydicom("pydicom_strict_read.py", path).EnsureSuccess($"pydicom strict read of {Path.GetFileName(path)}");
        return r.StdOut.Trim().Split(' ')[1];
    }

    /// <summary>A dcmtk text dump covering sequences (both length forms), Latin-1 text, DS/IS/AT/FD, private OB/SL.</summary>
    private const string Dump2DcmInput = """
        (0008,0005) CS [ISO_IR 100]
        (0008,0008) CS [DERIVED\SECONDARY\]
        (0008,0016) UI =MRImageStorage
        (0008,0018) UI [1.2.826.0.1.3680043.8.498.77]
        (0008,0060) CS [MR]
        (0008,1140) SQ (Sequence with undefined length #=2)
          (fffe,e000) na (Item with undefined length #=2)
            (0008,1150) UI [1.2.840.10008.5.1.4.1.1.4]
            (0008,1155) UI [1.2.3.4]
          (fffe,e00d) na (ItemDelimitationItem)
          (fffe,e000) na (Item with undefined length #=1)
            (0008,1155) UI [1.2.3.5]
          (fffe,e00d) na (ItemDelimitationItem)
        (fffe,e0dd) na (SequenceDelimitationItem)
        (0010,0010) PN [Gómez^María]
        (0018,0050) DS [1.50]
        (0018,9087) FD 1000.5
        (0020,0013) IS [ 12]
        (0020,0032) DS [-120\-110.5\7.25]
        (0028,0009) AT (0018,1063)
        (0029,0010) LO [DCMTK PRIVATE]
        (0029,1001) OB 01\02\03\04
        (0029,1002) SL -5\7
        """;

    [Fact]
    public void DcmtkFiles_ReadLikePydicom()
    {
        var dump2dcm = Peers.Require("dump2dcm", "dcmtk");
        var dcmconv = Peers.Require("dcmconv", "dcmtk");
        var dcmcrle = Peers.Require("dcmcrle", "dcmtk");
        var img2dcm = Peers.Require("img2dcm", "dcmtk");
        using var dir = new TempDir();

        File.WriteAllText(dir.File("dump.txt"), Dump2DcmInput, Encoding.Latin1);
        Peers.Run(dump2dcm, ["+te", dir.File("dump.txt"), dir.File("dump2dcm.dcm")]).EnsureSuccess("dump2dcm");
        TestImages.MrFile(seed: 3).Save(dir.File("mr.dcm"));
        File.WriteAllBytes(dir.File("rgb.bmp"), Bitmap24(19, 13));
        Peers.Run(img2dcm, ["-i", "BMP", dir.File("rgb.bmp"), dir.File("img2dcm.dcm")]).EnsureSuccess("img2dcm");

        // Each produced file with the file its pixels came from: pixels are checked against pydicom's reading of the
        // little-endian source, because pydicom 2.3 misorders 8-bit OW pixels of big-endian files.
        var produced = new List<(string Path, string Source)> { (dir.File("dump2dcm.dcm"), dir.File("dump2dcm.dcm")), (dir.File("img2dcm.dcm"), dir.File("img2dcm.dcm")) };
        foreach (var source in new[] { "dump2dcm.dcm", "mr.dcm", "img2dcm.dcm" })
        {
            foreach (var (flag, name) in new[] { ("+ti", "implicit"), ("+te", "explicit"), ("+td", "deflated"), ("+tb", "big") })
            {
                var target = dir.File($"{name}-{source}");
                Peers.Run(dcmconv, [flag, dir.File(source), target]).EnsureSuccess($"dcmconv {flag} {source}");
                produced.Add((target, dir.File(source)));
            }
        }
        foreach (var source in new[] { "mr.dcm", "img2dcm.dcm" })
        {
            var target = dir.File($"rle-{source}");
            Peers.Run(dcmcrle, [dir.File(source), target]).EnsureSuccess($"dcmcrle {source}");
            produced.Add((target, dir.File(source)));
        }

        foreach (var (path, source) in produced)
        {
            AssertReadsLikePydicom(path);
            var file = DicomFile.Open(path);
            if (file.Dataset.Contains(DicomTags.PixelData))
                Assert.True(PydicomPixelHash(source) == PixelHash(file), $"pixels of {Path.GetFileName(path)} differ from pydicom's reading of {Path.GetFileName(source)}");
        }
        Assert.Equal("Gómez^María", DicomFile.Open(dir.File("big-dump2dcm.dcm")).Dataset.GetString(DicomTags.PatientName));
    }

    [Fact]
    public void PydicomFiles_ReadLikePydicom()
    {
        using var dir = new TempDir();
        Pydicom("make_pydicom_corpus.py", dir.Path).EnsureSuccess("make_pydicom_corpus.py");
        var files = Directory.GetFiles(dir.Path, "*.dcm");
        Assert.Equal(4, files.Length);
        foreach (var path in files)
        {
            AssertReadsLikePydicom(path);
            Assert.Equal(PydicomPixelHash(path), PixelHash(DicomFile.Open(path)));
        }
        Assert.Equal("Ünal^Zoë=山田^太郎", DicomFile.Open(dir.File("explicit_utf8.dcm")).Dataset.GetString(DicomTags.PatientName));
    }

    public static TheoryData<string> Syntaxes => RoundTripTests.Syntaxes;

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void ZsadFiles_PassDcmdumpAndPydicomStrict(string syntaxName)
    {
        var dcmdump = Peers.Require("dcmdump", "dcmtk");
        using var dir = new TempDir();
        var path = dir.File($"zsad-{syntaxName}.dcm");
        var source = new DicomFile(RoundTripTests.RichDataset(), TransferSyntax.ExplicitVRLittleEndian);
        source.Save(path, TransferSyntax.Parse(syntaxName));

        var dump = Peers.Run(dcmdump, ["-dc", "+L", "-q", path]).EnsureSuccess("dcmdump");
        Assert.True(dump.StdErr.Trim().Length == 0, $"dcmdump complained: {dump.StdErr}");
        Assert.Contains("(0010,0010) PN [Ünal^Zoë=山田^太郎]", dump.StdOut);
        Assert.Equal(PydicomPixelHash(path), PixelHash(source));
        AssertReadsLikePydicom(path);
    }

    [Fact]
    public void ZsadMrImage_HasNoDciodvfyErrors()
    {
        var dciodvfy = Peers.Require("dciodvfy", "dicom3tools");
        using var dir = new TempDir();
        foreach (var syntax in new[] { TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.RLELossless })
        {
            var path = dir.File($"mr-{syntax.Uid}.dcm");
            TestImages.MrFile().Save(path, syntax);
            var r = Peers.Run(dciodvfy, [path]);
            var errors = (r.StdOut + r.StdErr).Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"dciodvfy ({syntax.Name}):\n{string.Join('\n', errors)}");
            Assert.Contains("MRImage", r.StdOut + r.StdErr);
        }
    }

    /// <summary>A 24-bit bottom-up BMP with a gradient, for img2dcm.</summary>
    private static byte[] Bitmap24(int width, int height)
    {
        var stride = (width * 3 + 3) & ~3;
        var image = new byte[54 + stride * height];
        void U32(int at, int v) => BitConverter.GetBytes(v).CopyTo(image, at);
        image[0] = (byte)'B';
        image[1] = (byte)'M';
        U32(2, image.Length);
        U32(10, 54);
        U32(14, 40);
        U32(18, width);
        U32(22, height);
        image[26] = 1;
        image[28] = 24;
        U32(34, stride * height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var at = 54 + y * stride + x * 3;
                image[at] = (byte)(x * 13);
                image[at + 1] = (byte)(y * 19);
                image[at + 2] = (byte)((x + y) % 3 == 0 ? 255 : 0);
            }
        return image;
    }
}
