using Zsad.Imaging.Nifti;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

/// <summary>Which detectors count as calibrated on the site's normals: only references the operator supplied, with a
/// held-out voxel calibration.</summary>
public sealed class ReferenceTrustTests
{
    private static string SiteNormals(TempDir dir)
    {
        var normals = dir.Sub("normals");
        var volumes = DetectorCatalog.PhantomNormals(2);
        for (var v = 0; v < volumes.Count; v++)
            NiftiWriter.Write(volumes[v], Path.Combine(normals, $"n{v}.nii.gz"));
        return normals;
    }

    [Fact]
    public void MemoryDetector_FromANormalsFolder_IsCalibrated()
    {
        using var dir = new TempDir();
        var loaded = DetectorCatalog.Load(ResNetMemoryDetector.DetectorName, SiteNormals(dir));
        using var _ = (IDisposable)loaded.Detector;
        Assert.True(loaded.Trust.Calibrated);
        Assert.Null(loaded.Trust.Warning);
        Assert.Equal(VoxelCalibration.DefaultFalsePositiveRate, loaded.Trust.Voxel!.FalsePositiveRate);
        Assert.Equal(2, loaded.Trust.Voxel.NormalImageStatistics.Count);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Calibration_FromOneNormal_IsUncalibrated(int normals, bool calibrated)
    {
        var voxel = VoxelCalibration.FromVolumes(Enumerable.Range(0, normals).Select(n => Enumerable.Range(0, 1000).Select(i => (float)(i + n)).ToArray()).ToList(),
            Enumerable.Repeat(1.0, normals).ToList());
        var trust = new ReferenceTrust(SiteNormals: true, voxel, "site bundle");
        Assert.Equal(calibrated, trust.Calibrated);
        if (calibrated)
        {
            Assert.Null(trust.Warning);
            Assert.StartsWith("calibrated on site normals", trust.Describe());
        }
        else
        {
            Assert.StartsWith("UNCALIBRATED: the detector was built from one normal scan", trust.Warning);
            Assert.Contains("(site bundle)", trust.Warning);
            Assert.Equal(trust.Warning, trust.Describe());
        }
    }

    /// <summary>A calibration that left normals out of its level stays calibrated, and its description (health check,
    /// SR, metrics.json) says which.</summary>
    [Fact]
    public void Calibration_WithUnlikeNormals_IsCalibrated_AndNamesThem()
    {
        var voxel = new VoxelCalibration(1e-4, 0, 1, [], [1, 2, 3, 4, 5], 10, UnlikeNormals: [new UnlikeNormal(3, 0.04)]);
        var trust = new ReferenceTrust(SiteNormals: true, voxel, "site bundle");
        Assert.True(trust.Calibrated);
        Assert.EndsWith("(held out over 5 normal volumes; normal #4 unlike the others, left out of the level)", trust.Describe());
        Assert.EndsWith("(held out over 5 normal volumes)", (trust with { Voxel = voxel with { UnlikeNormals = [] } }).Describe());
    }

    /// <summary>A calibration with a finding-mass level says what a finding must weigh and what that lets through.</summary>
    [Fact]
    public void Calibration_WithAFindingMassLevel_SaysWhatItLetsThrough()
    {
        var voxel = new VoxelCalibration(1e-4, 0, 1, [], [1, 2, 3, 4, 5], 10, FindingMassLevel: 12.5, FalseFindingsPerScan: 0.5);
        var trust = new ReferenceTrust(SiteNormals: true, voxel, "site bundle");
        Assert.EndsWith("(held out over 5 normal volumes); a finding is kept when its mass (height above the level times mm3) exceeds 12.5, which lets 0.5 false findings per healthy scan through on the held-out normals",
            trust.Describe());
    }

    [Fact]
    public void Baseline_FromANormalsFolder_HasNoHeldOutCalibration()
    {
        using var dir = new TempDir();
        var loaded = DetectorCatalog.Load(IntensityBaselineDetector.DetectorName, SiteNormals(dir));
        Assert.False(loaded.Trust.Calibrated);
        Assert.StartsWith("UNCALIBRATED: the detector has no held-out calibration on the site's normals", loaded.Trust.Warning);
    }

    [Fact]
    public void PhantomReferences_AreNotTheSite()
    {
        var detector = DetectorCatalog.FromNormals(IntensityBaselineDetector.DetectorName, DetectorCatalog.PhantomNormals(1), Inference.Detection.Views.SlicingOptions.Default);
        var trust = ReferenceTrust.For(detector, siteNormals: false, "phantoms");
        Assert.False(trust.Calibrated);
        Assert.StartsWith("UNCALIBRATED: the references are not this site's normal scans (phantoms)", trust.Warning);
        Assert.Contains("zsad models build-memory --detector resnet18-memory --normals DIR", trust.Warning);
    }
}
