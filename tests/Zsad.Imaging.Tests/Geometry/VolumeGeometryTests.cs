using Zsad.Imaging.Nifti;
using Zsad.Imaging.Tests.Support;

namespace Zsad.Imaging.Tests.Geometry;

/// <summary>Affine algebra, axis codes and anatomical slice views chosen by the affine, not by array position.</summary>
public sealed class VolumeGeometryTests
{
    [Fact]
    public void AffineInverse_UndoesTheAffine()
    {
        var a = TestVolumes.ObliqueLps();
        Assert.True((a.Inverse() * a).ApproximatelyEquals(Affine.Identity, 1e-12));
        var p = a.Transform(3, 4, 5);
        var back = a.Inverse().Transform(p);
        Assert.True(back.MaxAbsDifference(new Vec3(3, 4, 5)) < 1e-12);
    }

    [Fact]
    public void RasLpsConversion_FlipsTheFirstTwoWorldAxes()
    {
        var lps = TestVolumes.ObliqueLps();
        var ras = PatientFrame.LpsToRas(lps);
        Assert.Equal(-lps[0, 3], ras[0, 3]);
        Assert.Equal(-lps[1, 1], ras[1, 1]);
        Assert.Equal(lps[2, 2], ras[2, 2]);
        Assert.True(PatientFrame.RasToLps(ras).ApproximatelyEquals(lps, 0));
    }

    [Theory]
    [InlineData(1, 0, 0, 0, 1, 0, "LPS")]
    [InlineData(0, 1, 0, 0, 0, -1, "PIR")]
    [InlineData(-1, 0, 0, 0, -1, 0, "RAS")]
    public void AxisCodes_NameTheNearestWorldDirections(double ix, double iy, double iz, double jx, double jy, double jz, string codes)
    {
        var i = new Vec3(ix, iy, iz);
        var j = new Vec3(jx, jy, jz);
        var a = Affine.FromColumns(i, j, i.Cross(j), Vec3.Zero);
        Assert.Equal(codes, PatientFrame.AxisCodes(a));
    }

    [Theory]
    [InlineData(3, 8, 0.3, -0.5, 1.7)]
    [InlineData(-45, 170, 0.9, 0.1, -0.2)]
    [InlineData(120, -30, 0, 0, 1)]
    public void QformFromAffine_RoundTripsRotationsAndReflections(double degreesA, double degreesB, double ax, double ay, double az)
    {
        var basis = TestVolumes.Rotated(new Vec3(ax, ay, az + 0.01), degreesB, TestVolumes.Rotated(Vec3.UnitY, degreesA, TestVolumes.AxialBasis));
        foreach (var reflect in new[] { false, true })
        {
            var k = reflect ? -basis.K : basis.K;
            var affine = TestVolumes.Make((basis.I, basis.J, k), new Vec3(0.7, 1.3, 3.1), new Vec3(10, -20, 30));
            var header = new NiftiHeader { Version = 2 };
            header.SetQform(affine, NiftiXformCode.ScannerAnatomical);
            Assert.True(header.QformAffineRas().ApproximatelyEquals(affine, 1e-9), $"reflect={reflect}: {header.QformAffineRas()} vs {affine}");
        }
    }

    private static Volume<int> Indexed(Affine affine, int nx = 5, int ny = 4, int nz = 3)
    {
        var v = new Volume<int>(nx, ny, nz, affine);
        for (var i = 0; i < v.Data.Length; i++)
            v.Data[i] = i;
        return v;
    }

    [Theory]
    [InlineData("axial")]
    [InlineData("sagittal")]
    [InlineData("coronal")]
    [InlineData("oblique")]
    [InlineData("reversed")]
    public void SliceViews_RunInRadiologicalDirections_WhateverTheStorageOrder(string geometry)
    {
        var v = Indexed(Series.DicomSeriesRoundTripTests.Geometry(geometry));
        // Axial: x toward L, y toward P, slices toward S. Coronal: x toward L, y toward I, slices toward P.
        // Sagittal: x toward P, y toward I, slices toward R (x cross y).
        var expectations = new (AnatomicalPlane Plane, Vec3 X, Vec3 Y, Vec3 Slice)[]
        {
            (AnatomicalPlane.Axial, Vec3.UnitX, Vec3.UnitY, Vec3.UnitZ),
            (AnatomicalPlane.Coronal, Vec3.UnitX, -Vec3.UnitZ, Vec3.UnitY),
            (AnatomicalPlane.Sagittal, Vec3.UnitY, -Vec3.UnitZ, -Vec3.UnitX),
        };
        foreach (var (plane, x, y, slice) in expectations)
        {
            var stack = v.Slices(plane);
            var origin = stack.Position(0, 0, 0);
            Assert.True((stack.Position(0, 1, 0) - origin).Dot(x) > 0, $"{plane} x");
            Assert.True((stack.Position(0, 0, 1) - origin).Dot(y) > 0, $"{plane} y");
            if (stack.Count > 1)
                Assert.True((stack.Position(1, 0, 0) - origin).Dot(slice) > 0, $"{plane} slices");
            Assert.Equal(v.VoxelCount, stack.Count * stack.PixelCount);
            // every voxel appears exactly once across the stack, and writes land where reads came from
            var seen = new HashSet<int>();
            var copy = v.Like<int>();
            var target = copy.Slices(plane);
            for (var s = 0; s < stack.Count; s++)
            {
                var pixels = stack.GetSlice(s);
                foreach (var p in pixels)
                    Assert.True(seen.Add(p));
                target.WriteSlice(s, pixels);
            }
            Assert.Equal(v.Data, copy.Data);
        }
    }

    [Fact]
    public void AxialView_OfANiftiStoredRas_FlipsToTheDicomDirections()
    {
        // NIfTI from nibabel/dcm2niix is often stored with i toward R and j toward A (RAS); LPS readers flip both.
        var ras = Affine.FromColumns(new Vec3(-1, 0, 0), new Vec3(0, -1, 0), Vec3.UnitZ, Vec3.Zero);
        var v = Indexed(ras);
        var stack = v.Slices(AnatomicalPlane.Axial);
        Assert.True(stack.FlipX && stack.FlipY && !stack.FlipSlices);
        Assert.Equal(v[4, 3, 0], stack.GetSlice(0)[0]);
        Assert.Equal(v[0, 0, 2], stack.GetSlice(2)[^1]);
    }

    [Fact]
    public void AxialView_OfASagittalAcquisition_SlicesAlongTheArrayAxisNearestSuperior()
    {
        var v = Indexed(Series.DicomSeriesRoundTripTests.Geometry("sagittal"));
        var stack = v.Slices(AnatomicalPlane.Axial);
        Assert.Equal(1, stack.SliceAxis); // j runs toward I in a DICOM sagittal image
        Assert.True(stack.FlipSlices);
        Assert.Equal(v.SizeY, stack.Count);
    }
}
