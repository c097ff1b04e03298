using Zsad.Dicom;
using Zsad.Imaging.Series;
using Zsad.Imaging.Tests.Support;

namespace Zsad.Imaging.Tests.Series;

/// <summary>Series -> volume against dcm2niix: for MR series Zsad writes (axial, sagittal, coronal, oblique, slices
/// stored in reverse), dcm2niix's NIfTI (loaded by nibabel) and Zsad's volume hold the same value at every patient
/// position. dcm2niix flips and permutes axes to suit NIfTI viewers, so the comparison is in world coordinates.</summary>
public sealed class Dcm2niixInteropTests
{
    [Theory]
    [MemberData(nameof(DicomSeriesRoundTripTests.Geometries), MemberType = typeof(DicomSeriesRoundTripTests))]
    public void SeriesToVolume_MatchesDcm2niix(string geometry)
    {
        var dcm2niix = Peers.Require("dcm2niix", "dcm2niix");
        using var dir = new TempDir();
        var input = dir.Sub("dicom");
        var output = dir.Sub("nifti");
        var original = TestVolumes.Distinct(20, 16, 9, DicomSeriesRoundTripTests.Geometry(geometry));
        DicomSeriesWriter.Write(original, input, new MrSeriesOptions { UidSeed = "dcm2niix/" + geometry, SeriesDescription = "t2w " + geometry });

        Peers.Run(dcm2niix, ["-z", "y", "-b", "n", "-o", output, input], TimeSpan.FromSeconds(60)).EnsureSuccess("dcm2niix");
        var produced = Directory.GetFiles(output, "*.nii.gz");
        Assert.True(produced.Length == 1, $"dcm2niix made {produced.Length} volumes: {string.Join(", ", produced)}");
        var theirs = NibabelView.Load(produced[0])[0];
        var theirVolume = new Volume<double>(theirs.Shape[0], theirs.Shape[1], theirs.Shape[2], theirs.AffineLps, theirs.Scaled);

        var ours = DicomSeriesReader.ReadDirectory(input).Volume.ToDouble();
        VolumeAssert.SameInWorld(ours, theirVolume, positionTolerance: 1e-3);
        VolumeAssert.SameInWorld(original.ToDouble(), ours);
    }

    [Fact]
    public void FloatVolumeWithRescale_MatchesDcm2niixScaledValues()
    {
        var dcm2niix = Peers.Require("dcm2niix", "dcm2niix");
        using var dir = new TempDir();
        var input = dir.Sub("dicom");
        var output = dir.Sub("nifti");
        var original = new Volume<float>(12, 10, 6, DicomSeriesRoundTripTests.Geometry("oblique"));
        for (var i = 0; i < original.Data.Length; i++)
            original.Data[i] = 1000 * MathF.Cos(i * 0.05f) + 0.123f;
        DicomSeriesWriter.Write(original, input, new MrSeriesOptions { UidSeed = "dcm2niix/rescale" });
        Peers.Run(dcm2niix, ["-z", "y", "-b", "n", "-o", output, input], TimeSpan.FromSeconds(60)).EnsureSuccess("dcm2niix");
        var theirs = NibabelView.Load(Directory.GetFiles(output, "*.nii.gz").Single())[0];
        var theirVolume = new Volume<double>(theirs.Shape[0], theirs.Shape[1], theirs.Shape[2], theirs.AffineLps, theirs.Scaled);
        var ours = DicomSeriesReader.ReadDirectory(input).Volume.ToDouble();
        // dcm2niix keeps slope and intercept in scl_* as float32; Zsad applies them in float32 too
        VolumeAssert.SameInWorld(ours, theirVolume, valueTolerance: 1e-3);
    }
}
