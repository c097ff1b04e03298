using System.Numerics.Tensors;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>The random draws of AnoVL's test-time adapter: its initial weights and the feature noise of each step.
/// Injectable so that a test can replay the draws of the PyTorch reference.</summary>
public interface IAdapterDraws
{
    /// <summary>Fills <paramref name="values"/> from U(-bound, bound).</summary>
    void Uniform(Span<float> values, float bound);

    /// <summary>Fills <paramref name="values"/> from N(0, std²).</summary>
    void Normal(Span<float> values, float std);
}

/// <summary>Draws from a seeded System.Random (whose seeded sequence is fixed across .NET versions), normals by
/// Box-Muller: the same seed gives the same adapter, so a slice's map does not change between runs.</summary>
public sealed class SeededAdapterDraws(int seed) : IAdapterDraws
{
    private readonly Random _random = new(seed);

    public void Uniform(Span<float> values, float bound)
    {
        for (var i = 0; i < values.Length; i++)
            values[i] = (2 * _random.NextSingle() - 1) * bound;
    }

    public void Normal(Span<float> values, float std)
    {
        for (var i = 0; i < values.Length; i += 2)
        {
            var radius = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble()));
            var angle = 2 * Math.PI * _random.NextDouble();
            values[i] = (float)(std * radius * Math.Cos(angle));
            if (i + 1 < values.Length)
                values[i + 1] = (float)(std * radius * Math.Sin(angle));
        }
    }
}

/// <summary>AnoVL's test-time adapter (hq-deng/AnoVL model.py TextAdapter, vl_test.py), per image and layer:
/// y = 0.5 x + 0.5 tanh(W L2(x) + b) E, with x the patch tokens, E the per-prompt text embeddings [P, D] and
/// W [P, D], b [P] drawn as nn.Linear.reset_parameters draws them (U(±1/sqrt(D))). Each of the steps evaluates the
/// batch [x, x + N(0, noiseStd²)] (fresh noise per step), with p = softmax(L2(y) T.T / temperature) per patch and
/// loss = mean(entropy(p_clean)) + 0.5 mean(-log p_noisy,a - log p_clean,n), and takes one AdamW step (betas 0.9 /
/// 0.999, eps 1e-8, PyTorch's decoupled weight decay) with the hand-written gradient below. The map then uses the
/// adapted clean tokens. Deviation: the authors keep one AdamW state per object class across test images; here
/// the optimiser starts fresh per image, so a slice's map does not depend on which slices ran before it.</summary>
internal sealed class TestTimeAdapter
{
    private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

    private readonly float[] _prompts;
    private readonly int _promptCount;
    private readonly int _dim;
    private readonly int _steps;
    private readonly float _lr, _noiseStd, _weightDecay, _temperature;
    private readonly float[] _weight, _bias, _gradWeight, _gradBias, _m1Weight, _m2Weight, _m1Bias, _m2Bias;
    private float[] _noisy = [], _unit = [], _affinity = [], _features = [], _noise = [];

    public TestTimeAdapter(float[] prompts, int dim, ManifestTestTimeAdapter settings, float temperature)
    {
        _prompts = prompts;
        _dim = dim;
        _promptCount = prompts.Length / dim;
        _steps = settings.Steps!.Value;
        _lr = (float)settings.Lr!.Value;
        _noiseStd = (float)settings.NoiseStd!.Value;
        _weightDecay = (float)settings.WeightDecay!.Value;
        _temperature = temperature;
        var size = _promptCount * dim;
        (_weight, _gradWeight, _m1Weight, _m2Weight) = (new float[size], new float[size], new float[size], new float[size]);
        (_bias, _gradBias, _m1Bias, _m2Bias) = (new float[_promptCount], new float[_promptCount], new float[_promptCount], new float[_promptCount]);
    }

    internal Span<float> Weight => _weight;

    internal Span<float> Bias => _bias;

    /// <summary>Adapts one image's tokens [patches, D] against its text features [2, D]; writes the adapted clean
    /// tokens (not normalised) to <paramref name="adapted"/>.</summary>
    public void Adapt(ReadOnlySpan<float> tokens, ReadOnlySpan<float> text, Span<float> adapted, IAdapterDraws draws)
    {
        var bound = 1 / MathF.Sqrt(_dim);
        draws.Uniform(_weight, bound);
        draws.Uniform(_bias, bound);
        Array.Clear(_m1Weight);
        Array.Clear(_m2Weight);
        Array.Clear(_m1Bias);
        Array.Clear(_m2Bias);
        Ensure(ref _noisy, tokens.Length);
        Ensure(ref _noise, tokens.Length);
        for (var step = 1; step <= _steps; step++)
        {
            var noise = _noise.AsSpan(0, tokens.Length);
            var noisy = _noisy.AsSpan(0, tokens.Length);
            draws.Normal(noise, _noiseStd);
            TensorPrimitives.Add(tokens, noise, noisy);
            LossAndGradient(tokens, noisy, text);
            AdamW(_weight, _gradWeight, _m1Weight, _m2Weight, step);
            AdamW(_bias, _gradBias, _m1Bias, _m2Bias, step);
        }
        Forward(tokens, adapted);
    }

    /// <summary>The loss at the current W, b and its gradient into the gradient buffers (exposed for the
    /// finite-difference test).</summary>
    internal double LossAndGradient(ReadOnlySpan<float> clean, ReadOnlySpan<float> noisy, ReadOnlySpan<float> text)
    {
        Array.Clear(_gradWeight);
        Array.Clear(_gradBias);
        var patches = clean.Length / _dim;
        var loss = Branch(clean, text, patches, isClean: true);
        loss += Branch(noisy, text, patches, isClean: false);
        return loss;
    }

    internal ReadOnlySpan<float> GradWeight => _gradWeight;

    internal ReadOnlySpan<float> GradBias => _gradBias;

    /// <summary>y = 0.5 x + 0.5 tanh(W L2(x) + b) E for every row of x.</summary>
    private void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        var rows = x.Length / _dim;
        Ensure(ref _unit, x.Length);
        Ensure(ref _affinity, rows * _promptCount);
        x.CopyTo(_unit);
        HeadMath.L2NormalizeRows(_unit.AsSpan(0, x.Length), _dim);
        var affinity = _affinity.AsSpan(0, rows * _promptCount);
        HeadMath.Linear(_unit.AsSpan(0, x.Length), _dim, _weight, _bias, _promptCount, affinity);
        TensorPrimitives.Tanh(affinity, affinity);
        TensorPrimitives.Multiply(x, 0.5f, y);
        for (var r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * _dim, _dim);
            var ar = affinity.Slice(r * _promptCount, _promptCount);
            for (var k = 0; k < _promptCount; k++)
                TensorPrimitives.MultiplyAdd(_prompts.AsSpan(k * _dim, _dim), 0.5f * ar[k], yr, yr);
        }
    }

    /// <summary>One half of the batch: adds its loss terms and their gradient. With l the two logits of a patch and
    /// p = softmax(l): d entropy / d l_j = -p_j (log p_j + H); d(-log p_c) / d l_j = p_j - [j = c]. Clean patches
    /// carry entropy + 0.5 (-log p_n), noisy ones 0.5 (-log p_a); every term is averaged over the patches.
    /// Back through u = y / |y|: g_y = (g_u - u (u . g_u)) / |y|; through y: g_a = 0.5 E g_y; through tanh:
    /// g_z = g_a (1 - a²); g_W += g_z L2(x)^T, g_b += g_z.</summary>
    private double Branch(ReadOnlySpan<float> x, ReadOnlySpan<float> text, int patches, bool isClean)
    {
        Ensure(ref _features, x.Length);
        var y = _features.AsSpan(0, x.Length);
        Forward(x, y);
        var normal = text[.._dim];
        var abnormal = text.Slice(_dim, _dim);
        Span<float> gradY = stackalloc float[_dim];
        Span<float> gradZ = stackalloc float[_promptCount];
        double loss = 0;
        for (var r = 0; r < patches; r++)
        {
            var yr = y.Slice(r * _dim, _dim);
            var norm = TensorPrimitives.Norm(yr);
            double ln = TensorPrimitives.Dot(yr, normal) / norm / _temperature;
            double la = TensorPrimitives.Dot(yr, abnormal) / norm / _temperature;
            var top = Math.Max(ln, la);
            var logSum = top + Math.Log(Math.Exp(ln - top) + Math.Exp(la - top));
            double logPn = ln - logSum, logPa = la - logSum;
            double pn = Math.Exp(logPn), pa = Math.Exp(logPa);
            double gn, ga;
            if (isClean)
            {
                var entropy = -(pn * logPn + pa * logPa);
                loss += (entropy - 0.5 * logPn) / patches;
                gn = (-pn * (logPn + entropy) + 0.5 * (pn - 1)) / patches;
                ga = (-pa * (logPa + entropy) + 0.5 * pa) / patches;
            }
            else
            {
                loss += -0.5 * logPa / patches;
                gn = 0.5 * pn / patches;
                ga = 0.5 * (pa - 1) / patches;
            }
            // g_u = (gn t_n + ga t_a) / temperature; g_y = (g_u - u (u . g_u)) / |y| with u = y / |y|
            TensorPrimitives.Multiply(normal, (float)(gn / _temperature), gradY);
            TensorPrimitives.MultiplyAdd(abnormal, (float)(ga / _temperature), gradY, gradY);
            var uDotG = TensorPrimitives.Dot(yr, gradY) / norm;
            TensorPrimitives.MultiplyAdd(yr, -uDotG / norm, gradY, gradY);
            TensorPrimitives.Divide(gradY, norm, gradY);
            var unit = _unit.AsSpan(r * _dim, _dim);
            var affinity = _affinity.AsSpan(r * _promptCount, _promptCount);
            for (var k = 0; k < _promptCount; k++)
                gradZ[k] = 0.5f * TensorPrimitives.Dot(_prompts.AsSpan(k * _dim, _dim), gradY) * (1 - affinity[k] * affinity[k]);
            TensorPrimitives.Add(_gradBias, gradZ, _gradBias);
            for (var k = 0; k < _promptCount; k++)
            {
                var row = _gradWeight.AsSpan(k * _dim, _dim);
                TensorPrimitives.MultiplyAdd(unit, gradZ[k], row, row);
            }
        }
        return loss;
    }

    /// <summary>torch.optim.AdamW's update (PyTorch 1.13, non-amsgrad): decoupled decay, then the bias-corrected
    /// Adam step.</summary>
    private void AdamW(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> first, Span<float> second, int step)
    {
        var correction1 = 1 - Math.Pow(Beta1, step);
        var correction2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, step));
        var stepSize = (float)(_lr / correction1);
        for (var i = 0; i < parameter.Length; i++)
        {
            parameter[i] *= 1 - _lr * _weightDecay;
            first[i] = Beta1 * first[i] + (1 - Beta1) * gradient[i];
            second[i] = Beta2 * second[i] + (1 - Beta2) * gradient[i] * gradient[i];
            var denominator = (float)(Math.Sqrt(second[i]) / correction2Sqrt) + Epsilon;
            parameter[i] -= stepSize * first[i] / denominator;
        }
    }

    private static void Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new float[length];
    }
}
