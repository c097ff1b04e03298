using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;
using Zsad.Listener.Commands;
using Zsad.Listener.Tests.Support;

namespace Zsad.Listener.Tests;

/// <summary>`zsad volume convert INPUT OUT.nii.gz`.</summary>
public sealed class VolumeConvertTests
{
    [Fact]
    public void DicomFolderConvertsToTheVolumeOfTheSeries()
    {
        using var tmp = new TempDir();
        var folder = tmp.Sub("series");
        TestSeries.Write(folder, slices: 8);
        var output = Path.Combine(tmp.Path, "out.nii.gz");

        Assert.Equal(0, VolumeCommands.Convert([folder, output], TextWriter.Null));

        var written = NiftiReader.Read(output).Volume.ToSingle();
        var expected = DicomSeriesReader.ReadDirectory(folder).Volume;
        Assert.Equal(expected.Data, written.Data);
        Assert.True(expected.Affine.ApproximatelyEquals(written.Affine, 1e-4), $"{expected.Affine} vs {written.Affine}");
    }

    [Fact]
    public void NiftiFileConvertsToNiftiWithTheSameDataAndAffine()
    {
        using var tmp = new TempDir();
        var input = Path.Combine(tmp.Path, "in.nii");
        var volume = TestSeries.Volume(slices: 3);
        NiftiWriter.Write(volume, input);
        var output = Path.Combine(tmp.Path, "out.nii.gz");

        Assert.Equal(0, VolumeCommands.Convert([input, output], TextWriter.Null));

        var written = NiftiReader.Read(output);
        Assert.Equal(volume.Data, written.Volume.ToSingle().Data.Select(v => (short)v));
        Assert.True(volume.Affine.ApproximatelyEquals(written.Affine, 1e-5));
    }

    [Fact]
    public void WrongArgumentCountIsAUsageError() => Assert.Equal(2, VolumeCommands.Convert(["only-one"], TextWriter.Null));

    [Fact]
    public void MissingInputNamesThePath()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => VolumeCommands.Convert(["/nonexistent/zsad-input", "/tmp/x.nii.gz"], TextWriter.Null));
        Assert.Contains("/nonexistent/zsad-input", ex.Message);
    }
}
