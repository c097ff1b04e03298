using Zsad.Inference.Detection;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Detection;

public sealed class LocalBlobnessTests
{
    private const int Side = 40;

    private static float[] Blobness(Func<int, int, float> value, Func<int, int, bool> inBrain, double pixelMm = 1)
    {
        var (pixels, brain) = SyntheticSlice.Paint(Side, Side, value, inBrain);
        var blobness = new float[Side * Side];
        blobness.AsSpan().Fill(float.NaN);
        LocalBlobness.Compute(pixels, brain, Side, pixelMm, blobness);
        return blobness;
    }

    private static bool All(int x, int y) => true;

    private static bool Within(int x, int y, double cx, double cy, double radius) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;

    /// <summary>A dark spot 5 mm across scores at its centre; a dark line as wide, and as dark, scores almost nothing
    /// anywhere: a sulcus or a vessel along the slice is a line, a small lesion a spot. A bright spot scores as the
    /// dark one does.</summary>
    [Fact]
    public void ASpot_Scores_ALineOfTheSameWidthAndContrast_Barely()
    {
        var dark = Blobness((x, y) => Within(x, y, 20, 20, 2.5) ? -3 : 0, All);
        var bright = Blobness((x, y) => Within(x, y, 20, 20, 2.5) ? 3 : 0, All);
        var line = Blobness((x, _) => Math.Abs(x - 20) <= 2 ? -3 : 0, All);
        var spot = dark[20 * Side + 20];
        Assert.True(spot > 0.5, $"the dark spot's centre scores {spot}");
        Assert.Equal(spot, bright[20 * Side + 20], 4);
        Assert.True(line.Max() < 0.1 * spot, $"the line reaches {line.Max()} against the spot's {spot}");
    }

    /// <summary>A flat brain has no spot, at its edge either: the smoothing is normalised over the brain, so the dark
    /// outside does not curve the brain's border. Outside the brain the value is 0.</summary>
    [Fact]
    public void AFlatBrain_HasNoSpot_AlsoAtItsEdge()
    {
        var b = Blobness((_, _) => 1.2f, (x, y) => Within(x, y, 20, 20, 14));
        Assert.All(b, v => Assert.Equal(0, v, 4));
    }

    /// <summary>The scale is in millimetres and the value scale-normalised: the same spot at 2 mm pixels (half as many
    /// pixels across) scores within a third of its value at 1 mm, not a quarter of it as raw curvature would.</summary>
    [Fact]
    public void TheSameSpot_ScoresAlike_AtAnotherPixelSize()
    {
        var fine = Blobness((x, y) => Within(x, y, 20, 20, 3) ? -3 : 0, All)[20 * Side + 20];
        var coarse = Blobness((x, y) => Within(x, y, 20, 20, 1.5) ? -3 : 0, All, pixelMm: 2)[20 * Side + 20];
        Assert.InRange(coarse / fine, 0.67, 1.5);
    }
}
