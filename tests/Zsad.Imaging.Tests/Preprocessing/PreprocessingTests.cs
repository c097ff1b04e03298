using Zsad.Imaging.Nifti;
using Zsad.Imaging.Preprocessing;
using Zsad.Imaging.Tests.Support;

namespace Zsad.Imaging.Tests.Preprocessing;

/// <summary>Brain masks, per-slice standardisation and channel expansion.</summary>
public sealed class PreprocessingTests
{
    /// <summary>A noisy background with a bright ellipsoid "head" holding a dark cavity, plus a bright speck outside.</summary>
    private static Volume<float> Head()
    {
        var v = new Volume<float>(40, 36, 30, Affine.Identity);
        var rng = new Random(11);
        for (var k = 0; k < v.SizeZ; k++)
            for (var j = 0; j < v.SizeY; j++)
                for (var i = 0; i < v.SizeX; i++)
                {
                    double dx = (i - 20) / 14.0, dy = (j - 18) / 12.0, dz = (k - 15) / 10.0;
                    var r = dx * dx + dy * dy + dz * dz;
                    float value = r < 1 ? 400 + (float)rng.NextDouble() * 80 : 5 + (float)rng.NextDouble() * 20;
                    if (r < 0.08)
                        value = 10; // a dark cavity inside, as CSF on T1
                    v[i, j, k] = value;
                }
        v[2, 2, 2] = 900; // hot voxel outside the head
        return v;
    }

    [Fact]
    public void OtsuMask_KeepsTheHeadWithItsCavity_AndDropsTheOutsideSpeck()
    {
        var head = Head();
        var mask = BrainMask.Compute(head);
        Assert.False(BrainMask.LooksSkullStripped(head));
        Assert.Equal(1, mask[20, 18, 15]); // the cavity is filled
        Assert.Equal(1, mask[30, 18, 15]);
        Assert.Equal(0, mask[2, 2, 2]);
        Assert.Equal(0, mask[0, 0, 0]);
        var inside = 0;
        for (var k = 0; k < head.SizeZ; k++)
            for (var j = 0; j < head.SizeY; j++)
                for (var i = 0; i < head.SizeX; i++)
                {
                    double dx = (i - 20) / 14.0, dy = (j - 18) / 12.0, dz = (k - 15) / 10.0;
                    if (dx * dx + dy * dy + dz * dz < 1)
                    {
                        inside++;
                        Assert.Equal(1, mask[i, j, k]);
                    }
                }
        Assert.Equal(inside, mask.Data.Count(b => b != 0));
    }

    [Fact]
    public void SkullStrippedBrain_Ch2Bet_UsesTheNonZeroVoxels()
    {
        var brain = NiftiReader.Read(Peers.RequireCh2Bet()).ToSingle();
        Assert.True(BrainMask.LooksSkullStripped(brain));
        var mask = BrainMask.Compute(brain);
        var nonZero = brain.Data.Count(v => v != 0);
        Assert.Equal(nonZero, mask.Data.Count(b => b != 0));
        Assert.InRange(nonZero * brain.Spacing.X * brain.Spacing.Y * brain.Spacing.Z / 1000, 1000, 2000); // an adult brain, in ml
    }

    /// <summary>A skull-stripped ball of tissue (90-110) on a zero background, radius 12 voxels, whose edge voxels (a
    /// 6-neighbour outside the ball) are part background (intensity 3) on one side (x more than 4 voxels beyond the
    /// centre: about a tenth of the ball), with a 3 x 3 x 3 spot as dark deep inside (a dark lesion or a ventricle); and
    /// its non-zero mask.</summary>
    private static (Volume<float> Brain, Volume<byte> Mask) BallWithDarkRim(double spacingMm)
    {
        var v = new Volume<float>(32, 32, 32, Affine.FromGeometry(new Vec3(spacingMm, spacingMm, spacingMm), Vec3.UnitX, Vec3.UnitY, Vec3.UnitZ, Vec3.Zero));
        static bool InBall(int i, int j, int k) => (i - 16) * (i - 16) + (j - 16) * (j - 16) + (k - 16) * (k - 16) < 144;
        var rng = new Random(5);
        for (var k = 0; k < 32; k++)
            for (var j = 0; j < 32; j++)
                for (var i = 0; i < 32; i++)
                {
                    if (!InBall(i, j, k))
                        continue;
                    var edge = !InBall(i - 1, j, k) || !InBall(i + 1, j, k) || !InBall(i, j - 1, k) || !InBall(i, j + 1, k) || !InBall(i, j, k - 1) || !InBall(i, j, k + 1);
                    v[i, j, k] = edge && i - 16 > 4 ? 3 : 90 + 20 * (float)rng.NextDouble();
                }
        for (var k = 15; k <= 17; k++)
            for (var j = 15; j <= 17; j++)
                for (var i = 15; i <= 17; i++)
                    v[i, j, k] = 2;
        return (v, BrainMask.NonZero(v));
    }

    [Fact]
    public void WithoutDarkRim_DropsTheDarkEdgeVoxels_AndKeepsTheDarkSpotInside()
    {
        var (brain, mask) = BallWithDarkRim(spacingMm: 1);
        var rim = brain.Data.Count(x => x == 3);
        Assert.InRange(rim, 300, 700); // 4-10 % of the ~7200 brain voxels, so the 3rd percentile falls among them
        var refined = BrainMask.WithoutDarkRim(mask, brain, rimMm: 2, quantile: 0.03);
        for (var v = 0; v < mask.Data.Length; v++)
        {
            var expected = brain.Data[v] != 0 && brain.Data[v] != 3; // the rim goes; tissue at the edge and the spot stay
            Assert.Equal(expected ? 1 : 0, refined.Data[v]);
        }
        Assert.Equal(1, refined[16, 16, 16]);
        Assert.Equal(mask.Data.Count(b => b != 0) - rim, refined.Data.Count(b => b != 0));
    }

    [Fact]
    public void WithoutDarkRim_MeasuresTheRimInMillimetres()
    {
        // At 2 mm voxels the edge layer lies 2 mm from the outside: a 1 mm rim reaches none of it, a 2 mm rim all.
        var (brain, mask) = BallWithDarkRim(spacingMm: 2);
        Assert.Equal(mask.Data.Count(b => b != 0), BrainMask.WithoutDarkRim(mask, brain, rimMm: 1, quantile: 0.03).Data.Count(b => b != 0));
        Assert.Equal(mask.Data.Count(b => b != 0) - brain.Data.Count(x => x == 3),
            BrainMask.WithoutDarkRim(mask, brain, rimMm: 2, quantile: 0.03).Data.Count(b => b != 0));
    }

    [Fact]
    public void WithoutDarkRim_RefusesABadRimQuantileOrGrid()
    {
        var (brain, mask) = BallWithDarkRim(spacingMm: 1);
        Assert.Contains("mm above 0", Assert.Throws<ArgumentException>(() => BrainMask.WithoutDarkRim(mask, brain, rimMm: 0)).Message);
        Assert.Contains("mm above 0", Assert.Throws<ArgumentException>(() => BrainMask.WithoutDarkRim(mask, brain, rimMm: double.NaN)).Message);
        Assert.Contains("between 0 and 1", Assert.Throws<ArgumentException>(() => BrainMask.WithoutDarkRim(mask, brain, rimMm: 2, quantile: 1)).Message);
        var other = new Volume<byte>(16, 32, 32, Affine.Identity);
        Assert.Contains("differ in size", Assert.Throws<ArgumentException>(() => BrainMask.WithoutDarkRim(other, brain, rimMm: 2)).Message);
    }

    [Fact]
    public void SliceStandardization_GivesZeroMeanUnitStdOverBrainPixelsOfEachSlice()
    {
        var head = Head();
        var mask = BrainMask.Compute(head);
        var standard = SliceStandardization.Standardize(head, mask, AnatomicalPlane.Axial, background: -3);
        var slices = standard.Slices(AnatomicalPlane.Axial);
        var maskSlices = mask.Slices(AnatomicalPlane.Axial);
        for (var s = 0; s < slices.Count; s++)
        {
            var pixels = slices.GetSlice(s);
            var m = maskSlices.GetSlice(s);
            var brain = pixels.Where((_, p) => m[p] != 0).Select(x => (double)x).ToArray();
            if (brain.Length == 0)
            {
                Assert.All(pixels, p => Assert.Equal(-3, p));
                continue;
            }
            var mean = brain.Average();
            Assert.True(Math.Abs(mean) < 1e-4, $"slice {s} mean {mean}");
            if (brain.Distinct().Count() > 1)
                Assert.True(Math.Abs(Math.Sqrt(brain.Select(x => (x - mean) * (x - mean)).Average()) - 1) < 1e-4, $"slice {s} std");
            Assert.All(pixels.Where((_, p) => m[p] == 0), p => Assert.Equal(-3, p));
        }
    }

    [Fact]
    public void SliceStandardization_WithoutMask_UsesEveryPixel()
    {
        float[] slice = [1, 2, 3, 4];
        SliceStandardization.StandardizeSlice(slice, [1, 1, 1, 1]);
        var s = (float)(1 / Math.Sqrt(1.25));
        Assert.Equal(new[] { -1.5f * s, -0.5f * s, 0.5f * s, 1.5f * s }, slice);
    }

    [Fact]
    public void GreyToChannels_ReplicatesAndNormalisesPerChannel()
    {
        float[] grey = [0, 0.5f, 1];
        var chw = new float[9];
        Channels.GreyToChannels(grey, chw, Channels.ClipMean, Channels.ClipStd);
        for (var c = 0; c < 3; c++)
            for (var p = 0; p < 3; p++)
                Assert.Equal((grey[p] - Channels.ClipMean[c]) / Channels.ClipStd[c], chw[c * 3 + p], 5);
        Assert.Equal(new float[] { 0, 0.5f, 1, 0, 0.5f, 1, 0, 0.5f, 1 }, Channels.GreyToChannels(grey));
    }
}
