using Zsad.Training.Gradients;

namespace Zsad.Training.Tests;

/// <summary>Analytic gradients against central finite differences, term by term and through the whole head.</summary>
public sealed class GradientCheckTests
{
    private static float[] Uniform(Random r, int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * r.NextDouble())).ToArray();

    private static float[] Target(Random r, int n) => Enumerable.Range(0, n).Select(_ => r.NextDouble() < 0.3 ? 1f : 0f).ToArray();

    [Fact]
    public void Focal_and_dice_gradient_with_respect_to_the_probability_equals_finite_differences()
    {
        var r = new Random(3);
        var p = Uniform(r, 30, 0.05, 0.95);
        var g = Target(r, 30);
        var analytic = new float[30];
        VandLoss.Accumulate(p, g, batchPixels: 60, batch: 2, analytic);
        const double h = 1e-3;
        for (var i = 0; i < p.Length; i++)
        {
            var saved = p[i];
            p[i] = (float)(saved + h);
            var plus = VandLoss.Accumulate(p, g, 60, 2, new float[30]);
            p[i] = (float)(saved - h);
            var minus = VandLoss.Accumulate(p, g, 60, 2, new float[30]);
            p[i] = saved;
            var numeric = (plus.Focal + plus.Dice - minus.Focal - minus.Dice) / (p[i] + h - (p[i] - h) == 0 ? 1 : 2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-4 + 1e-2 * Math.Abs(analytic[i]), $"p[{i}]: analytic {analytic[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Focal_loss_matches_its_definition_on_one_pixel()
    {
        // p_a 0.8 on a lesion pixel: p_t = 1e-5 * 0.2 + (1 - 1e-5) * 0.8 + 1e-5; loss = -(1 - p_t)² log p_t.
        var pt = 1e-5 * 0.2 + (1 - 1e-5) * 0.8 + 1e-5;
        var (focal, dice) = VandLoss.Accumulate([0.8f], [1f], 1, 1, new float[1]);
        Assert.Equal(-(1 - pt) * (1 - pt) * Math.Log(pt), focal, 1e-7);
        Assert.Equal(1 - (2 * 0.8 + 1) / (0.8 + 1 + 1), dice, 1e-7);
    }

    [Fact]
    public void Upsampler_adjoint_is_the_transpose_of_the_forward_pass()
    {
        var r = new Random(5);
        var up = new BilinearUpsampler(4, 11);
        var x = Uniform(r, 16, -1, 1);
        var y = Uniform(r, 121, -1, 1);
        var ux = new float[121];
        var uty = new float[16];
        up.Forward(x, ux);
        up.Adjoint(y, uty);
        double left = 0, right = 0;
        for (var i = 0; i < 121; i++) left += ux[i] * y[i];
        for (var i = 0; i < 16; i++) right += x[i] * uty[i];
        Assert.Equal(left, right, 1e-5);
    }

    [Fact]
    public void Upsampler_matches_the_inference_resize_with_align_corners()
    {
        var r = new Random(6);
        var grid = Uniform(r, 25, -3, 3);
        var mine = new float[17 * 17];
        new BilinearUpsampler(5, 17).Forward(grid, mine);
        var inference = Zsad.Imaging.Preprocessing.Resize2D.Resize(grid, 5, 5, 17, 17, Zsad.Imaging.Preprocessing.ResizeMode.Bilinear, alignCorners: true);
        for (var i = 0; i < mine.Length; i++)
            Assert.Equal(inference[i], mine[i], 1e-5f);
    }

    [Fact]
    public void Head_gradient_with_respect_to_every_weight_and_bias_equals_finite_differences()
    {
        var r = new Random(7);
        (int, int)[] layers = [(3, 6), (2, 4)];
        const int embed = 5, size = 8, batch = 2;
        var text = Uniform(r, 2 * embed, -1, 1);
        var (w, b) = AdapterHead.Initialise(layers, embed, seed: 11);
        var head = new AdapterHead(layers, embed, size, 0.2f, text, w, b);
        var tokens = Enumerable.Range(0, batch).Select(_ => (IReadOnlyList<float[]>)layers.Select(l => Uniform(r, l.Item1 * l.Item1 * l.Item2, -1, 1)).ToArray()).ToArray();
        var targets = Enumerable.Range(0, batch).Select(_ => Target(r, size * size)).ToArray();
        var analytic = head.Parameters.Select(p => new float[p.Length]).ToArray();
        head.Accumulate(tokens, targets, analytic);
        const float h = 1e-2f;
        var parameters = head.Parameters;
        for (var t = 0; t < parameters.Count; t++)
            for (var i = 0; i < parameters[t].Length; i++)
            {
                var saved = parameters[t][i];
                parameters[t][i] = saved + h;
                var plus = head.Accumulate(tokens, targets, null).Total;
                parameters[t][i] = saved - h;
                var minus = head.Accumulate(tokens, targets, null).Total;
                parameters[t][i] = saved;
                var numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[t][i]) <= 2e-4 + 2e-2 * Math.Abs(analytic[t][i]),
                    $"tensor {t} element {i}: analytic {analytic[t][i]}, numeric {numeric}");
            }
    }
}
