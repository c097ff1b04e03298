using System.Numerics.Tensors;

namespace Zsad.Training.Gradients;

/// <summary>torch.optim.Adam without weight decay or amsgrad: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g²,
/// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), in PyTorch's order of operations. VAND trains with
/// lr 1e-3 and betas (0.5, 0.999).</summary>
public sealed class Adam
{
    private readonly float[][] _m;
    private readonly float[][] _v;
    private readonly float[] _scratch;

    public Adam(IReadOnlyList<int> sizes, double learningRate, double beta1 = 0.5, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be a positive number");
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _m = sizes.Select(s => new float[s]).ToArray();
        _v = sizes.Select(s => new float[s]).ToArray();
        _scratch = new float[sizes.Count == 0 ? 0 : sizes.Max()];
    }

    public double LearningRate { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    /// <summary>Steps taken so far (t).</summary>
    public int Step { get; set; }

    /// <summary>First and second moments, one pair per parameter tensor (for checkpoints).</summary>
    public IReadOnlyList<float[]> FirstMoments => _m;
    public IReadOnlyList<float[]> SecondMoments => _v;

    public void Update(IReadOnlyList<float[]> parameters, IReadOnlyList<float[]> gradients)
    {
        Step++;
        var correction1 = 1 - System.Math.Pow(Beta1, Step);
        var correction2Sqrt = System.Math.Sqrt(1 - System.Math.Pow(Beta2, Step));
        var stepSize = (float)(LearningRate / correction1);
        for (var t = 0; t < parameters.Count; t++)
        {
            Span<float> p = parameters[t], g = gradients[t], m = _m[t], v = _v[t];
            var denominator = _scratch.AsSpan(0, p.Length);
            // m = b1 m + (1 - b1) g ; v = b2 v + (1 - b2) g g
            TensorPrimitives.Multiply(m, (float)Beta1, m);
            TensorPrimitives.MultiplyAdd(g, (float)(1 - Beta1), m, m);
            TensorPrimitives.Multiply(v, (float)Beta2, v);
            TensorPrimitives.Multiply(g, g, denominator);
            TensorPrimitives.MultiplyAdd(denominator, (float)(1 - Beta2), v, v);
            TensorPrimitives.Sqrt(v, denominator);
            TensorPrimitives.Divide(denominator, (float)correction2Sqrt, denominator);
            TensorPrimitives.Add(denominator, (float)Epsilon, denominator);
            for (var i = 0; i < p.Length; i++)
                p[i] -= stepSize * (m[i] / denominator[i]);
        }
    }
}
