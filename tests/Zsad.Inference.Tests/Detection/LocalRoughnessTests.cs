using Zsad.Inference.Detection;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Detection;

public sealed class LocalRoughnessTests
{
    private const int W = 8, H = 6;

    private static float[] Roughness(Func<int, int, float> value, Func<int, int, bool> inBrain)
    {
        var (pixels, brain) = SyntheticSlice.Paint(W, H, value, inBrain);
        var roughness = new float[W * H];
        roughness.AsSpan().Fill(float.NaN);
        LocalRoughness.Compute(pixels, brain, W, roughness);
        return roughness;
    }

    /// <summary>A flat brain is not rough, at its edge either: pixels outside the brain (0 here, far from the brain's
    /// value) are not neighbours. Outside the brain the roughness is 0.</summary>
    [Fact]
    public void Roughness_OfAFlatBrain_IsZero_AlsoAtItsEdge()
    {
        var r = Roughness((_, _) => 1.5f, (x, y) => x is >= 2 and <= 6 && y is >= 1 and <= 4);
        Assert.All(r, v => Assert.Equal(0, v));
    }

    /// <summary>A checkerboard of +a and -a differs from the mean of its four neighbours by 2a at every pixel, so its
    /// root mean square residual is 2a wherever the 3 x 3 window lies in it; a linear ramp has residual 0 inside.</summary>
    [Fact]
    public void Roughness_OfACheckerboard_IsTwiceItsAmplitude_AndOfARamp_Zero()
    {
        var checker = Roughness((x, y) => (x + y) % 2 == 0 ? 0.7f : -0.7f, (_, _) => true);
        for (var y = 2; y < H - 2; y++)
            for (var x = 2; x < W - 2; x++)
                Assert.Equal(1.4f, checker[y * W + x], 4);

        var ramp = Roughness((x, _) => 0.3f * x, (_, _) => true);
        for (var y = 0; y < H; y++)
            for (var x = 2; x < W - 2; x++)
                Assert.Equal(0, ramp[y * W + x], 4);
    }
}
