using Zsad.Imaging;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

/// <summary>The per-place intensity range on small synthetic heads written slice by slice (so slice pixels are the
/// test's own coordinates): 56 x 56 axial slices whose brain box plus the crop margin fills the square exactly, so each
/// pixel is one stride-4 cell of the range.</summary>
public sealed class IntensityRangeTests
{
    private const int Side = 56, Slices = 25, Margin = 4;

    /// <summary>White matter (100, with a small ripple so the slice has a spread), a dark ventricle block (20) at
    /// columns 10-15, rows 20-35, and whatever <paramref name="edit"/> writes on top; brain everywhere inside the margin.</summary>
    private static AxialSquareCrop Head(int seed, Action<float[]>? edit = null)
    {
        var volume = new Volume<float>(Side, Side, Slices, Affine.Identity);
        var mask = new Volume<byte>(Side, Side, Slices, Affine.Identity);
        var rng = new Random(seed);
        var pixels = new float[Side * Side];
        var brain = new byte[Side * Side];
        for (var y = Margin; y < Side - Margin; y++)
            for (var x = Margin; x < Side - Margin; x++)
                brain[y * Side + x] = 1;
        for (var k = 0; k < Slices; k++)
        {
            Array.Clear(pixels);
            for (var p = 0; p < pixels.Length; p++)
                if (brain[p] != 0)
                    pixels[p] = 100 + (float)(rng.NextDouble() - 0.5) * 4;
            Fill(pixels, 10, 16, 20, 36, 20);
            edit?.Invoke(pixels);
            volume.Slices(AnatomicalPlane.Axial).WriteSlice(k, pixels);
            mask.Slices(AnatomicalPlane.Axial).WriteSlice(k, brain);
        }
        var crop = AxialSquareCrop.Create(volume, mask, Margin, minimumBrainFraction: 0);
        Assert.Equal((0, 0, Side), (crop.X0, crop.Y0, crop.Side));
        return crop;
    }

    private static void Fill(float[] pixels, int x0, int x1, int y0, int y1, float value)
    {
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
                pixels[y * Side + x] = value;
    }

    private static IntensityRange.Accumulator Accumulate(params AxialSquareCrop[] normals)
    {
        var ranges = new IntensityRange.Accumulator();
        for (var v = 0; v < normals.Length; v++)
            for (var s = normals[v].FirstSlice; s <= normals[v].LastSlice; s++)
            {
                var (pixels, brain) = Standardized(normals[v], s);
                ranges.Add(v, normals[v], s, pixels, brain);
            }
        return ranges;
    }

    private static (float[] Pixels, byte[] Brain) Standardized(AxialSquareCrop crop, int slice)
    {
        var pixels = new float[Side * Side];
        var brain = new byte[Side * Side];
        crop.CopyStandardized(slice, pixels, brain);
        return (pixels, brain);
    }

    private static float[] Scores(IntensityRange range, AxialSquareCrop crop, int slice, float weight = 1)
    {
        var (pixels, brain) = Standardized(crop, slice);
        var raw = new float[pixels.Length];
        range.AddTo(crop, slice, pixels, brain, weight, raw);
        return raw;
    }

    /// <summary>What the range is for: a block as dark as the ventricles, in white matter, is far outside the normals'
    /// range at its place and scores by how far (in slice SDs, times the weight), while the ventricles themselves, just
    /// as dark, score nothing. The position-free intensity tail, a function of the value alone, finds that value
    /// common (ventricles are a few percent of brain) and gives both the same low score. The second normal's larger
    /// ventricles spread the normals' standardised ventricle values, as real heads do.</summary>
    [Fact]
    public void AddTo_ScoresADarkBlockInWhiteMatter_ButNotTheVentriclesAsDark()
    {
        var normals = new[] { Head(1), Head(2, pixels => Fill(pixels, 10, 16, 36, 46, 20)), Head(3) };
        var range = Accumulate(normals).Build();
        var test = Head(4, pixels => Fill(pixels, 34, 40, 24, 30, 20));
        const int slice = 12;

        var scores = Scores(range, test, slice, weight: 2);
        var (pixels, brain) = Standardized(test, slice);
        var block = 27 * Side + 37;
        var ventricle = 28 * Side + 13;
        var whiteMatter = 45 * Side + 45;
        Assert.Equal(pixels[ventricle], pixels[block], 3);
        var normalLowest = range.Lower[PositionStatistics.Bin(test.NormalizedHeight(slice)) * 3136 + 27 * 56 + 37];
        Assert.Equal(2 * (normalLowest - pixels[block]), scores[block], 3);
        Assert.True(scores[block] > 5, $"dark block in white matter scores {scores[block]:F2}");
        Assert.Equal(0, scores[ventricle]);
        Assert.Equal(0, scores[whiteMatter]);
        Assert.Equal(0, scores[0]); // outside the brain

        var tail = IntensityTail.FromValues(normals.SelectMany(n => Enumerable.Range(n.FirstSlice, n.LastSlice - n.FirstSlice + 1)
            .SelectMany(s => Standardized(n, s) is var (p, b) ? p.Where((_, i) => b[i] != 0) : [])).ToArray());
        Assert.True(tail.Score(pixels[block]) < 1.5, $"the tail scores the dark value {tail.Score(pixels[block]):F2}");
    }

    /// <summary>The roughness range: a mottled block (a checkerboard of 65 and 95) whose values stay inside the
    /// normals' intensity range at its place (normals hold there either a flat block of 45 or white matter of 100)
    /// scores nothing on the intensity range, and on the range of local roughness about its residual, 30 over a slice
    /// SD of about 16, since every normal is smooth there.</summary>
    [Fact]
    public void RoughnessRange_ScoresAMottledBlockInsideTheNormalIntensities()
    {
        var normals = new[] { Head(1, pixels => Fill(pixels, 28, 42, 28, 42, 45)), Head(2), Head(3, pixels => Fill(pixels, 28, 42, 28, 42, 45)) };
        var test = Head(4, pixels =>
        {
            for (var y = 32; y < 38; y++)
                for (var x = 32; x < 38; x++)
                    pixels[y * Side + x] = (x + y) % 2 == 0 ? 65 : 95;
        });
        const int slice = 12;
        var intensities = Accumulate(normals).Build();
        var scores = LocalValueRangeScores(normals, test, slice, Roughness);

        var centre = 35 * Side + 35;
        Assert.Equal(0, Scores(intensities, test, slice)[centre]);
        Assert.True(scores[centre] > 1.5, $"the mottled block scores {scores[centre]:F2} slice SDs of roughness");
        // Smooth white matter and the ventricle: at most the test's ripple a little over the normals' (its slice SD is smaller).
        Assert.True(scores[45 * Side + 45] < 0.05f && scores[28 * Side + 13] < 0.05f,
            $"white matter {scores[45 * Side + 45]:F3}, ventricle {scores[28 * Side + 13]:F3}");
    }

    /// <summary>The blobness range: a dark spot 5 px across (20, as the ventricle) where two normals have a dark line as
    /// wide and darker (0, a sulcus) and one has white matter lies inside the normals' intensities at its place, so the
    /// intensity range gives it nothing, but no normal has a spot there: its blobness lies well above theirs.</summary>
    [Fact]
    public void BlobnessRange_ScoresADarkSpotWhereTheNormalsHaveADarkLine()
    {
        var normals = new[] { Head(1, pixels => Fill(pixels, 28, 33, 20, 45, 0)), Head(2), Head(3, pixels => Fill(pixels, 28, 33, 20, 45, 0)) };
        // The test has the line too, away from the spot, so that its slice is standardised as the normals' are.
        var test = Head(4, pixels =>
        {
            Fill(pixels, 42, 47, 20, 45, 0);
            for (var y = 28; y <= 36; y++)
                for (var x = 26; x <= 34; x++)
                    if ((x - 30) * (x - 30) + (y - 32) * (y - 32) <= 6.25)
                        pixels[y * Side + x] = 20;
        });
        const int slice = 12;
        var scores = LocalValueRangeScores(normals, test, slice, Blobness);

        var centre = 32 * Side + 30;
        var intensity = Scores(Accumulate(normals).Build(), test, slice)[centre];
        Assert.Equal(0, intensity);
        Assert.True(scores[centre] > 0.3,
            $"the spot scores {scores[centre]:F2} slice SDs of blobness, {intensity:F2} on the intensity range");
        Assert.True(scores[45 * Side + 45] < 0.05f && scores[28 * Side + 13] < 0.05f,
            $"white matter {scores[45 * Side + 45]:F3}, ventricle {scores[28 * Side + 13]:F3}");
    }

    /// <summary>A test slice's scores (weight 1) on the per-place range of a local value (roughness, blobness) of the
    /// normals.</summary>
    private static float[] LocalValueRangeScores(AxialSquareCrop[] normals, AxialSquareCrop test, int slice, Func<AxialSquareCrop, int, float[]> value)
    {
        var ranges = new IntensityRange.Accumulator();
        for (var v = 0; v < normals.Length; v++)
            for (var s = normals[v].FirstSlice; s <= normals[v].LastSlice; s++)
                ranges.Add(v, normals[v], s, value(normals[v], s), Standardized(normals[v], s).Brain);
        var brain = Standardized(test, slice).Brain;
        var scores = new float[brain.Length];
        ranges.Build().AddTo(test, slice, value(test, slice), brain, 1, scores);
        return scores;
    }

    private static float[] Blobness(AxialSquareCrop crop, int slice)
    {
        var (pixels, brain) = Standardized(crop, slice);
        var blobness = new float[pixels.Length];
        LocalBlobness.Compute(pixels, brain, Side, 1, blobness);
        return blobness;
    }

    private static float[] Roughness(AxialSquareCrop crop, int slice)
    {
        var (pixels, brain) = Standardized(crop, slice);
        var roughness = new float[pixels.Length];
        LocalRoughness.Compute(pixels, brain, Side, roughness);
        return roughness;
    }

    [Fact]
    public void Build_LeavingAVolumeOut_TakesTheRangeOfTheOthersOnly()
    {
        var bright = Head(5, pixels => Fill(pixels, 30, 34, 40, 44, 170));
        var ranges = Accumulate(Head(1), bright);
        var test = Head(6, pixels => Fill(pixels, 30, 34, 40, 44, 160));
        var spot = 42 * Side + 32;

        Assert.Equal(0, Scores(ranges.Build(), test, 12)[spot]);
        Assert.True(Scores(ranges.Build(excludeVolume: 1), test, 12)[spot] > 2, "without the volume that holds it, the bright spot is outside the range");
        var alone = Accumulate(bright).Build();
        var withoutFirst = ranges.Build(excludeVolume: 0);
        Assert.Equal(alone.Lower, withoutFirst.Lower);
        Assert.Equal(alone.Upper, withoutFirst.Upper);
    }

    /// <summary>A place is pooled with its 3 x 3 x 3 neighbourhood of places, so a value seen one cell away is normal;
    /// where no normal brain lies within it, the range is NaN and adds nothing.</summary>
    [Fact]
    public void Build_PoolsNeighbouringPlaces_AndLeavesPlacesWithoutNormalBrainEmpty()
    {
        var range = Accumulate(Head(1, pixels => Fill(pixels, 30, 31, 40, 41, 160))).Build();
        var bin = PositionStatistics.Bin(0.5) * 3136;

        Assert.Equal(range.Upper[bin + 40 * 56 + 30], range.Upper[bin + 41 * 56 + 31]);
        Assert.True(range.Upper[bin + 43 * 56 + 33] < range.Upper[bin + 40 * 56 + 30], "three cells away it is not");
        Assert.True(float.IsNaN(range.Lower[bin + 0]) && float.IsNaN(range.Upper[bin + 0]), "the corner, 4 cells from any brain, has no range");
        Assert.True(float.IsNaN(range.Lower[bin + 2 * 56 + 2]), "two cells from the brain, none");
        Assert.False(float.IsNaN(range.Lower[bin + 3 * 56 + 3]), "a cell diagonal to the brain's first cell has one");
    }

    [Fact]
    public void Constructor_RefusesWrongLengthsAndBrokenPlaces()
    {
        var n = IntensityRange.HeightBins * 3136;
        float[] Values(float v) => Enumerable.Repeat(v, n).ToArray();
        Assert.Contains("lower and upper values", Assert.Throws<ArgumentException>(() => new IntensityRange(new float[10], new float[10])).Message);

        var upper = Values(1);
        upper[7] = float.NaN;
        Assert.Contains("place 7", Assert.Throws<ArgumentException>(() => new IntensityRange(Values(0), upper)).Message);
        Assert.Contains("place 0", Assert.Throws<ArgumentException>(() => new IntensityRange(Values(2), Values(1))).Message);
        Assert.Contains("place 0", Assert.Throws<ArgumentException>(() => new IntensityRange(Values(float.NegativeInfinity), Values(1))).Message);
        var empty = new IntensityRange(Values(float.NaN), Values(float.NaN));
        Assert.True(float.IsNaN(empty.Lower[0]));
    }
}
