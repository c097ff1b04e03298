using Zsad.Imaging;
using Zsad.Inference.Detection;
using Zsad.Inference.Detection.Views;

namespace Zsad.Inference.Tests.Detection.Views;

public sealed class MultiViewDetectorTests
{
    /// <summary>Sees only axial structure: each voxel scores its axial slice's place in the stack (0 first, 1 last),
    /// and the image score is the number of slices it was given.</summary>
    private sealed class SlicePositionDetector : IAnomalyDetector
    {
        public string Name => "slice-position";

        public AnomalyResult Detect(Volume<float> volume, Volume<byte>? mask = null)
        {
            Assert.NotNull(mask);
            Assert.True(mask.HasSameGrid(volume), "the mask must be resliced with the volume");
            var map = volume.Like<float>();
            var slices = map.Slices(AnatomicalPlane.Axial);
            for (var z = 0; z < slices.Count; z++)
                slices.WriteSlice(z, Enumerable.Repeat((float)z / (slices.Count - 1), slices.PixelCount).ToArray());
            return new AnomalyResult(map, slices.Count);
        }
    }

    [Fact]
    public void MultiView_AxialOnlyDetector_FusedMapIsMeanOfTheThreeSlicePositions()
    {
        // LPS identity grid: axial slices advance with k (toward S), coronal with j (toward P), sagittal toward R,
        // i.e. with decreasing i (DICOM's sagittal normal).
        const int nx = 6, ny = 5, nz = 4;
        var volume = new Volume<float>(nx, ny, nz, Affine.Identity);
        var mask = volume.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        mask[0, 0, 0] = 0;
        var detector = new SlicePositionDetector();
        using var fused = new MultiViewDetector([(AnatomicalPlane.Axial, detector), (AnatomicalPlane.Coronal, detector), (AnatomicalPlane.Sagittal, detector)], 0);

        var result = fused.Detect(volume, mask);

        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                {
                    var expected = mask[i, j, k] == 0 ? 0 : ((float)k / (nz - 1) + (float)j / (ny - 1) + (float)(nx - 1 - i) / (nx - 1)) / 3;
                    Assert.Equal(expected, result.Map[i, j, k], 1e-6f);
                }
        Assert.Equal((nz + ny + nx) / 3.0, result.ImageScore, 12);
    }

    [Fact]
    public void MultiView_ObliqueGrid_MapComesBackOnTheInputGrid()
    {
        var volume = PlaneResliceTests.Numbered("oblique");
        var mask = volume.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        var detector = new SlicePositionDetector();
        using var coronal = new MultiViewDetector([(AnatomicalPlane.Coronal, detector)], 0);

        var result = coronal.Detect(volume, mask);

        Assert.True(result.Map.HasSameGrid(volume));
        var view = result.Map.Slices(AnatomicalPlane.Coronal);
        for (var z = 0; z < view.Count; z++)
            Assert.All(view.GetSlice(z), v => Assert.Equal((float)z / (view.Count - 1), v, 1e-6f));
    }

    [Fact]
    public void MultiView_RepeatedPlane_IsRefused()
    {
        var detector = new SlicePositionDetector();
        var ex = Assert.Throws<ArgumentException>(() => new MultiViewDetector([(AnatomicalPlane.Axial, detector), (AnatomicalPlane.Axial, detector)], 0));
        Assert.Contains("listed twice", ex.Message);
    }

    [Theory]
    [InlineData("axial,axial", "--views: 'axial' is listed twice")]
    [InlineData("axial,oblique", "--views: 'oblique' is not axial, coronal or sagittal")]
    [InlineData(" , ", "--views: no view given")]
    public void SlicingOptions_BadViews_AreRefusedNamingTheOption(string views, string message)
        => Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => SlicingOptions.Resolve(views, null, null, null)).Message);

    [Theory]
    [InlineData("-1", "--through-plane-sigma: sigma must be 0 or more millimetres, not -1")]
    [InlineData("two", "--through-plane-sigma: 'two' is not a number of millimetres")]
    public void SlicingOptions_BadSigma_IsRefusedNamingTheOption(string sigma, string message)
        => Assert.Equal(message, Assert.Throws<ArgumentException>(() => SlicingOptions.Resolve(null, sigma, null, null)).Message);

    [Fact]
    public void SlicingOptions_CommandLineOverridesManifest_ManifestOverridesDefault()
    {
        var fromManifest = SlicingOptions.Resolve(null, null, ["coronal", "sagittal"], 2.5);
        Assert.Equal([AnatomicalPlane.Coronal, AnatomicalPlane.Sagittal], fromManifest.Views);
        Assert.Equal(2.5, fromManifest.ThroughPlaneSigmaMm);

        var overridden = SlicingOptions.Resolve("axial", "0", ["coronal", "sagittal"], 2.5);
        Assert.True(overridden.IsDefault);

        Assert.True(SlicingOptions.Resolve(null, null, null, null).IsDefault);
    }

    [Fact]
    public void FromNormals_BuiltInWithViews_BuildsOneDetectorPerPlaneFromReslicedNormals()
    {
        // The service's phantom-normals path and every built-in detector go through FromNormals.
        var normals = DetectorCatalog.PhantomNormals(1);
        using var fused = Assert.IsType<MultiViewDetector>(DetectorCatalog.FromNormals(IntensityBaselineDetector.DetectorName, normals,
            SlicingOptions.Resolve("sagittal,axial", "2", null, null)));
        Assert.Equal([AnatomicalPlane.Sagittal, AnatomicalPlane.Axial], fused.Options.Views);
        Assert.Equal(2, fused.Options.ThroughPlaneSigmaMm);
        var result = fused.Detect(normals[0]);
        Assert.True(result.Map.HasSameGrid(normals[0]));
        Assert.All(result.Map.Data, v => Assert.InRange(v, 0, 1));

        Assert.IsType<IntensityBaselineDetector>(DetectorCatalog.FromNormals(IntensityBaselineDetector.DetectorName, normals, SlicingOptions.Default));
    }
}
