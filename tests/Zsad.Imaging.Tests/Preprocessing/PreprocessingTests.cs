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
