using Zsad.Inference.Bundles;
using Zsad.Inference.Heads;

namespace Zsad.Inference.Tests.Heads;

public sealed class TestTimeAdapterTests
{
    private const int Dim = 8, Prompts = 5, Patches = 6;

    [Fact]
    public void Hand_written_gradient_matches_finite_differences()
    {
        var random = new Random(7);
        float[] Draw(int count, float scale) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        var prompts = Draw(Prompts * Dim, 1);
        var text = Draw(2 * Dim, 1);
        var clean = Draw(Patches * Dim, 1);
        var noisy = clean.Zip(Draw(Patches * Dim, 0.3f), (a, b) => a + b).ToArray();
        // Temperature 0.2 sharpens the softmax so that every term of the loss has a visible slope.
        var adapter = new TestTimeAdapter(prompts, Dim, new ManifestTestTimeAdapter { Steps = 1, Lr = 1e-3, NoiseStd = 0, WeightDecay = 0 }, temperature: 0.2f);
        Draw(Prompts * Dim, 0.8f).CopyTo(adapter.Weight);
        Draw(Prompts, 0.8f).CopyTo(adapter.Bias);

        adapter.LossAndGradient(clean, noisy, text);
        var gradWeight = adapter.GradWeight.ToArray();
        var gradBias = adapter.GradBias.ToArray();
        Assert.Contains(gradWeight, g => Math.Abs(g) > 1e-3);

        const float h = 1e-2f;
        double Central(Span<float> parameter, int i)
        {
            var saved = parameter[i];
            parameter[i] = saved + h;
            var up = adapter.LossAndGradient(clean, noisy, text);
            parameter[i] = saved - h;
            var down = adapter.LossAndGradient(clean, noisy, text);
            parameter[i] = saved;
            return (up - down) / (2 * h);
        }
        for (var i = 0; i < gradWeight.Length; i++)
            Assert.True(Math.Abs(Central(adapter.Weight, i) - gradWeight[i]) < 2e-4 + 1e-2 * Math.Abs(gradWeight[i]), $"dLoss/dW[{i}]: finite difference {Central(adapter.Weight, i):E3}, analytic {gradWeight[i]:E3}");
        for (var i = 0; i < gradBias.Length; i++)
            Assert.True(Math.Abs(Central(adapter.Bias, i) - gradBias[i]) < 2e-4 + 1e-2 * Math.Abs(gradBias[i]), $"dLoss/db[{i}]: finite difference {Central(adapter.Bias, i):E3}, analytic {gradBias[i]:E3}");
    }

    [Fact]
    public void Adapting_lowers_the_loss_on_the_clean_tokens()
    {
        var random = new Random(3);
        float[] Draw(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var prompts = Draw(Prompts * Dim);
        var text = Draw(2 * Dim);
        var tokens = Draw(Patches * Dim);
        var settings = new ManifestTestTimeAdapter { Steps = 20, Lr = 1e-2, NoiseStd = 0, WeightDecay = 0.01 };
        var adapter = new TestTimeAdapter(prompts, Dim, settings, temperature: 0.2f);
        var adapted = new float[tokens.Length];
        var start = new SeededAdapterDraws(11);
        // Same seed twice: the first draws of a fresh source are the adapter's initial W and b.
        start.Uniform(adapter.Weight, 1 / MathF.Sqrt(Dim));
        start.Uniform(adapter.Bias, 1 / MathF.Sqrt(Dim));
        var before = adapter.LossAndGradient(tokens, tokens, text);
        adapter.Adapt(tokens, text, adapted, new SeededAdapterDraws(11));
        var after = adapter.LossAndGradient(tokens, tokens, text);
        Assert.True(after < before, $"20 AdamW steps with noise 0 should lower the loss: {before} -> {after}");
        Assert.NotEqual(tokens, adapted);
    }
}
