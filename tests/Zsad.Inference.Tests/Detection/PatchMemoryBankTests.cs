using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

public sealed class PatchMemoryBankTests
{
    /// <summary>The search stops summing a candidate once it passes the best distance so far. That is exact only if a
    /// distance under the bound comes out to the bit as without it, and one over it is reported over it.</summary>
    [Theory]
    [InlineData(SliceFeatures.Dim)]
    [InlineData(SliceFeatures.FineDim)]
    [InlineData(37)]
    public void SquaredDistance_WithABound_IsExactUnderIt_AndOverItAbove(int length)
    {
        var rng = new Random(length);
        var stopped = 0;
        for (var trial = 0; trial < 2000; trial++)
        {
            var a = Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble()).ToArray();
            var b = Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble()).ToArray();
            var full = PatchMemoryBank.SquaredDistance(a, b);
            var bound = full * (float)(0.05 + 1.9 * rng.NextDouble());
            var bounded = PatchMemoryBank.SquaredDistance(a, b, bound);
            if (full <= bound)
                Assert.Equal(BitConverter.SingleToInt32Bits(full), BitConverter.SingleToInt32Bits(bounded));
            else
                Assert.True(bounded > bound, $"trial {trial}: {bounded} reported under the bound {bound} (full {full})");
            stopped += bounded != full ? 1 : 0;
        }
        if (length >= SliceFeatures.FineDim)
            Assert.True(stopped > 100, $"the bound stopped only {stopped} of 2000 sums early");
    }

    /// <summary>The nearest distances of a search, which bounds each candidate by the best so far, are those of the
    /// full distances to every candidate place.</summary>
    [Fact]
    public void MinDistances_AreTheSmallestFullDistances()
    {
        var rng = new Random(7);
        const int g = SliceFeatures.Grid, d = SliceFeatures.Dim;
        float[] Features() => Enumerable.Range(0, g * g * d).Select(_ => (float)rng.NextDouble()).ToArray();
        var brain = new bool[g * g];
        var bank = new PatchMemoryBank();
        var slices = Enumerable.Range(0, 3).Select(v => new SliceFeatures(0, 0.5, Features(), brain)).ToArray();
        for (var v = 0; v < slices.Length; v++)
            bank.Add(v, slices[v]);
        var query = new SliceFeatures(0, 0.5, Features(), brain);
        const int radius = 2;
        var distances = bank.MinDistances(query, heightWindow: 0.1, radius);
        for (var gy = 0; gy < g; gy++)
            for (var gx = 0; gx < g; gx++)
            {
                var best = float.MaxValue;
                foreach (var s in slices)
                    for (var y = Math.Max(0, gy - radius); y <= Math.Min(g - 1, gy + radius); y++)
                        for (var x = Math.Max(0, gx - radius); x <= Math.Min(g - 1, gx + radius); x++)
                            best = Math.Min(best, PatchMemoryBank.SquaredDistance(query.Features.AsSpan((gy * g + gx) * d, d), s.Features.AsSpan((y * g + x) * d, d)));
                Assert.Equal(MathF.Sqrt(best), distances[gy * g + gx]);
            }
    }
}
