using Zsad.Imaging.Preprocessing;

namespace Zsad.Imaging.Tests.Preprocessing;

/// <summary>Resize matches torch.nn.functional.interpolate (antialias=False); expected values are PyTorch 2.x
/// outputs for the 2x2 input [[1, 2], [3, 4]] resized to 4x4.</summary>
public sealed class ResizeTests
{
    private static readonly float[] Input = [1, 2, 3, 4];

    [Fact]
    public void Bilinear_AlignCornersFalse_MatchesPyTorch()
        => AssertClose([1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4],
            Resize2D.Resize(Input, 2, 2, 4, 4, ResizeMode.Bilinear, alignCorners: false));

    [Fact]
    public void Bilinear_AlignCornersTrue_MatchesPyTorch()
    {
        const float t = 1f / 3, u = 2f / 3;
        AssertClose([1, 1 + t, 1 + u, 2, 1 + u, 2, 2 + t, 2 + u, 2 + t, 2 + u, 3, 3 + t, 3, 3 + t, 3 + u, 4],
            Resize2D.Resize(Input, 2, 2, 4, 4, ResizeMode.Bilinear, alignCorners: true));
    }

    [Fact]
    public void Bicubic_AlignCornersFalse_MatchesPyTorch()
        => AssertClose([0.68359375f, 1.015625f, 1.5625f, 1.89453125f, 1.34765625f, 1.6796875f, 2.2265625f, 2.55859375f,
                2.44140625f, 2.7734375f, 3.3203125f, 3.65234375f, 3.10546875f, 3.4375f, 3.984375f, 4.31640625f],
            Resize2D.Resize(Input, 2, 2, 4, 4, ResizeMode.Bicubic, alignCorners: false));

    [Theory]
    [InlineData(ResizeMode.Bilinear, false)]
    [InlineData(ResizeMode.Bilinear, true)]
    [InlineData(ResizeMode.Bicubic, false)]
    [InlineData(ResizeMode.Bicubic, true)]
    public void SameSize_IsTheIdentity(ResizeMode mode, bool alignCorners)
    {
        var rng = new Random(3);
        var image = Enumerable.Range(0, 7 * 5).Select(_ => (float)rng.NextDouble()).ToArray();
        AssertClose(image, Resize2D.Resize(image, 7, 5, 7, 5, mode, alignCorners));
    }

    [Theory]
    [InlineData(ResizeMode.Bilinear)]
    [InlineData(ResizeMode.Bicubic)]
    public void AlignCornersTrue_KeepsTheCornerPixels(ResizeMode mode)
    {
        var rng = new Random(5);
        var image = Enumerable.Range(0, 9 * 6).Select(_ => (float)rng.NextDouble()).ToArray();
        var result = Resize2D.Resize(image, 9, 6, 240, 240, mode, alignCorners: true);
        Assert.Equal(image[0], result[0], 5);
        Assert.Equal(image[8], result[239], 5);
        Assert.Equal(image[^9], result[^240], 5);
        Assert.Equal(image[^1], result[^1], 5);
    }

    [Fact]
    public void Bilinear_AlignCornersTrue_ReproducesALinearRamp()
    {
        var image = new float[10 * 4];
        for (var y = 0; y < 4; y++)
            for (var x = 0; x < 10; x++)
                image[y * 10 + x] = 2 * x + 5 * y;
        var result = Resize2D.Resize(image, 10, 4, 19, 7, ResizeMode.Bilinear, alignCorners: true);
        for (var y = 0; y < 7; y++)
            for (var x = 0; x < 19; x++)
                Assert.Equal(2 * x * 9.0 / 18 + 5 * y * 3.0 / 6, result[y * 19 + x], 4);
    }

    [Fact]
    public void WrongBufferSizes_AreRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Resize2D.Resize(new float[5], 2, 2, 4, 4, ResizeMode.Bilinear, false));
        Assert.StartsWith("source holds 5 pixels, not 2x2", ex.Message);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"pixel {i}: expected {expected[i]}, got {actual[i]}");
    }
}
