using System.Text.Json;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests;

/// <summary>The `zsad dicom` verbs as a user runs them: a separate process, exit codes, one-line errors.</summary>
public class CommandLineTests
{
    private static Peers.Result Zsad(params string[] args)
        => Peers.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "zsad.dll"), .. args]);

    [Fact]
    public void DumpJson_PrintsTheDicomJsonModel()
    {
        using var dir = new TempDir();
        var path = dir.File("mr.dcm");
        TestImages.MrFile().Save(path);
        var r = Zsad("dicom", "dump", path, "--json").EnsureSuccess("zsad dicom dump --json");
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal("MR", json.GetProperty("00080060").GetProperty("Value")[0].GetString());
        Assert.True(json.GetProperty("7FE00010").TryGetProperty("InlineBinary", out _));
    }

    [Fact]
    public void Dump_PrintsOneLinePerElement()
    {
        using var dir = new TempDir();
        var path = dir.File("mr.dcm");
        TestImages.MrFile().Save(path);
        var r = Zsad("dicom", "dump", path).EnsureSuccess("zsad dicom dump");
        Assert.Contains("(0008,0060) CS [MR]", r.StdOut);
        Assert.Contains("(0028,0010) US 64 # 2, Rows", r.StdOut);
        Assert.Contains("(0002,0010) UI [1.2.840.10008.1.2.1]", r.StdOut);
    }

    [Theory]
    [InlineData("implicit", "1.2.840.10008.1.2")]
    [InlineData("deflated", "1.2.840.10008.1.2.1.99")]
    [InlineData("big", "1.2.840.10008.1.2.2")]
    [InlineData("rle", "1.2.840.10008.1.2.5")]
    [InlineData("1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1")]
    public void Convert_RewritesInTheRequestedSyntax(string ts, string uid)
    {
        using var dir = new TempDir();
        var source = TestImages.MrFile();
        source.Save(dir.File("in.dcm"));
        Zsad("dicom", "convert", dir.File("in.dcm"), dir.File("out.dcm"), "--ts", ts).EnsureSuccess("zsad dicom convert");
        var converted = DicomFile.Open(dir.File("out.dcm"));
        Assert.Equal(uid, converted.TransferSyntax.Uid);
        RoundTripTests.AssertSameValues(source, converted);
    }

    [Fact]
    public void BadInput_GivesOneLineAndNonZeroExit()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.dcm"), "not dicom");
        var r = Zsad("dicom", "dump", dir.File("bad.dcm"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Contains("not a DICOM file", r.StdErr);

        var missing = Zsad("dicom", "convert", dir.File("bad.dcm"), dir.File("out.dcm"), "--ts", "jpeg9000");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("unknown transfer syntax", missing.StdErr);
    }
}

/// <summary>The README's main-job command, as a newcomer runs it.</summary>
public class DemoCommandTests
{
    [Fact]
    public void Demo_SendsASyntheticStudyOverDicomAndReadsItBackIdentical()
    {
        using var dir = new TempDir();
        var r = Peers.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "zsad.dll"), "demo", "--out", dir.Path]).EnsureSuccess("zsad demo");
        Assert.Contains("40 of 40 instances acknowledged", r.StdOut);
        Assert.Contains("identical to what was sent", r.StdOut);
        var intake = Directory.GetFiles(dir.File("service"), "*.dcm", SearchOption.AllDirectories).Where(f => f.Contains("intake")).ToList();
        Assert.Equal(40, intake.Count);
        Assert.DoesNotContain(Directory.GetFiles(dir.File("service"), "*", SearchOption.AllDirectories), f => f.EndsWith(".tmp", StringComparison.Ordinal)); // no half-written files
        Assert.True(File.Exists(dir.File("volumes/ZSAD-DEMO-001-t2w.nii.gz")));
        Assert.True(File.Exists(dir.File("maps/ZSAD-DEMO-001.nii.gz")));
        var pacs = Directory.GetFiles(dir.File("pacs"), "*.dcm", SearchOption.AllDirectories).Select(f => DicomFile.Open(f).Dataset).ToList();
        Assert.Contains(pacs, ds => ds.GetString(DicomTags.SOPClassUID) == DicomUid.SegmentationStorage);
        Assert.True(File.Exists(dir.File("report/index.html")) || Directory.GetFiles(dir.File("report"), "index.html", SearchOption.AllDirectories).Length > 0);
        Assert.Matches(@"threshold 0\.5: Dice \d\.\d{3}, sensitivity", r.StdOut);
        Assert.Contains("PHANTOM references", r.StdOut); // never presented as patient-level quality
    }
}
