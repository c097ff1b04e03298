using System.Numerics.Tensors;
using Zsad.Inference.Heads;
using Zsad.Training.Gradients;

namespace Zsad.Training;

/// <summary>The trainable part of a VAND-style head: per layer a Linear(dim -> D) on the frozen raw patch tokens,
/// then L2, logits f.T / temperature, bilinear upsampling of the logits (align_corners true) to S x S, softmax,
/// p_a. Forward and exact backward for one image at a time; the per-layer chains are independent (the loss is a sum
/// over layers), so <see cref="Accumulate"/> runs the layers in parallel and stays deterministic.</summary>
public sealed class AdapterHead
{
    private readonly LayerState[] _layers;

    /// <param name="text">[2, D] (normal, abnormal) or [L, 2, D] per layer.</param>
    public AdapterHead(IReadOnlyList<(int Grid, int Dim)> layers, int embedDim, int size, float temperature, float[] text,
        float[][] weights, float[][] biases)
    {
        if (layers.Count == 0)
            throw new ArgumentException("a head needs at least one layer");
        if (text.Length != 2 * embedDim && text.Length != layers.Count * 2 * embedDim)
            throw new ArgumentException($"text features hold {text.Length} values, not [2, {embedDim}] or [{layers.Count}, 2, {embedDim}]");
        if (!(temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be positive");
        EmbedDim = embedDim;
        Size = size;
        Weights = weights;
        Biases = biases;
        _layers = new LayerState[layers.Count];
        for (var l = 0; l < layers.Count; l++)
        {
            var (grid, dim) = layers[l];
            if (weights[l].Length != embedDim * dim)
                throw new ArgumentException($"layer {l}: weight holds {weights[l].Length} values, not [{embedDim}, {dim}]");
            if (biases[l].Length != embedDim)
                throw new ArgumentException($"layer {l}: bias holds {biases[l].Length} values, not [{embedDim}]");
            var t = text.Length == 2 * embedDim ? text.AsSpan(0, 2 * embedDim) : text.AsSpan(l * 2 * embedDim, 2 * embedDim);
            // softmax over [n, a] of upsampled logits = sigmoid of the upsampled (a - n) logit: one plane per layer.
            var direction = new float[embedDim];
            TensorPrimitives.Subtract(t.Slice(embedDim, embedDim), t[..embedDim], direction);
            TensorPrimitives.Divide(direction, temperature, direction);
            _layers[l] = new LayerState(grid, dim, direction, new BilinearUpsampler(grid, size));
        }
        Layers = layers;
    }

    public IReadOnlyList<(int Grid, int Dim)> Layers { get; }
    public int EmbedDim { get; }
    public int Size { get; }

    /// <summary>Per layer [D, dim], PyTorch Linear layout; updated in place by the optimiser.</summary>
    public float[][] Weights { get; }

    /// <summary>Per layer [D].</summary>
    public float[][] Biases { get; }

    /// <summary>Weights and biases interleaved (w0, b0, w1, b1, ...): the optimiser's parameter list.</summary>
    public IReadOnlyList<float[]> Parameters => Weights.Zip(Biases).SelectMany(p => new[] { p.First, p.Second }).ToArray();

    /// <summary>Fresh adapters initialised like torch.nn.Linear's reset_parameters: weight and bias uniform in
    /// ±1/sqrt(dim) (kaiming_uniform with a = sqrt 5), drawn from System.Random(seed) layer by layer, weight before
    /// bias, row-major. The numbers differ from torch's generator; the distribution is the same.</summary>
    public static (float[][] Weights, float[][] Biases) Initialise(IReadOnlyList<(int Grid, int Dim)> layers, int embedDim, int seed)
    {
        var random = new Random(seed);
        var weights = new float[layers.Count][];
        var biases = new float[layers.Count][];
        for (var l = 0; l < layers.Count; l++)
        {
            var bound = 1 / System.Math.Sqrt(layers[l].Dim);
            weights[l] = new float[embedDim * layers[l].Dim];
            biases[l] = new float[embedDim];
            foreach (var tensor in new[] { weights[l], biases[l] })
                for (var i = 0; i < tensor.Length; i++)
                    tensor[i] = (float)((2 * random.NextDouble() - 1) * bound);
        }
        return (weights, biases);
    }

    /// <summary>Loss of a batch of images and, when <paramref name="gradients"/> is given, dLoss/dparameters added
    /// to it (same order as <see cref="Parameters"/>). <paramref name="maps"/>, when given, receives per image the
    /// layer mean of p_a (the inference map times MapScale).</summary>
    /// <param name="tokens">tokens[image][layer]: [grid², dim] raw patch tokens (CLS dropped).</param>
    /// <param name="targets">targets[image]: S x S, 1 inside the lesion.</param>
    public BatchLoss Accumulate(IReadOnlyList<IReadOnlyList<float[]>> tokens, IReadOnlyList<float[]> targets,
        IReadOnlyList<float[]>? gradients, IReadOnlyList<float[]>? maps = null)
    {
        var batch = tokens.Count;
        if (targets.Count != batch)
            throw new ArgumentException($"{batch} token sets but {targets.Count} targets");
        var focal = new double[_layers.Length];
        var dice = new double[_layers.Length];
        var layerMaps = maps is null ? null : new float[_layers.Length][][];
        Parallel.For(0, _layers.Length, l =>
        {
            var state = _layers[l];
            var w = Weights[l];
            var b = Biases[l];
            var (gw, gb) = gradients is null ? (null, null) : (gradients[2 * l], gradients[2 * l + 1]);
            var patches = state.Grid * state.Grid;
            var y = new float[patches * EmbedDim];
            var norms = new float[patches];
            var logits = new float[patches];
            var probability = new float[Size * Size];
            var gradient = new float[Size * Size];
            var gridGradient = new float[patches];
            var rowGradient = new float[EmbedDim];
            if (layerMaps is not null)
                layerMaps[l] = new float[batch][];
            for (var i = 0; i < batch; i++)
            {
                var x = tokens[i][l];
                if (x.Length != patches * state.Dim)
                    throw new ArgumentException($"image {i} layer {l}: {x.Length} token values, not [{patches}, {state.Dim}]");
                if (targets[i].Length != Size * Size)
                    throw new ArgumentException($"target {i} holds {targets[i].Length} pixels, not {Size}x{Size}");
                HeadMath.Linear(x, state.Dim, w, b, EmbedDim, y);
                for (var r = 0; r < patches; r++)
                {
                    var row = y.AsSpan(r * EmbedDim, EmbedDim);
                    norms[r] = TensorPrimitives.Norm(row);
                    TensorPrimitives.Divide(row, norms[r], row);
                    logits[r] = TensorPrimitives.Dot(row, state.Direction);
                }
                state.Upsampler.Forward(logits, probability);
                TensorPrimitives.Sigmoid(probability, probability);
                if (layerMaps is not null)
                    layerMaps[l][i] = (float[])probability.Clone();
                gradient.AsSpan().Clear();
                var (f, d) = VandLoss.Accumulate(probability, targets[i], batch * Size * Size, batch, gradient);
                focal[l] += f;
                dice[l] += d;
                if (gw is null)
                    continue;
                // through the sigmoid, then the transpose of the upsampling back to the grid
                for (var p = 0; p < gradient.Length; p++)
                    gradient[p] *= probability[p] * (1 - probability[p]);
                state.Upsampler.Adjoint(gradient, gridGradient);
                for (var r = 0; r < patches; r++)
                {
                    // d(f.w)/dy for f = y/|y|: (w - f (f.w)) / |y|
                    var f_r = y.AsSpan(r * EmbedDim, EmbedDim);
                    TensorPrimitives.MultiplyAdd(f_r, -logits[r], state.Direction, rowGradient);
                    TensorPrimitives.Multiply(rowGradient, gridGradient[r] / norms[r], rowGradient);
                    TensorPrimitives.Add(gb!, rowGradient, gb!);
                    var x_r = x.AsSpan(r * state.Dim, state.Dim);
                    for (var o = 0; o < EmbedDim; o++)
                    {
                        var row = gw.AsSpan(o * state.Dim, state.Dim);
                        TensorPrimitives.MultiplyAdd(x_r, rowGradient[o], row, row);
                    }
                }
            }
        });
        if (maps is not null)
            for (var i = 0; i < batch; i++)
            {
                var map = maps[i];
                map.AsSpan().Clear();
                for (var l = 0; l < _layers.Length; l++)
                    TensorPrimitives.Add(map, layerMaps![l][i], map);
                TensorPrimitives.Divide(map, _layers.Length, map);
            }
        return new BatchLoss(focal.Sum(), dice.Sum());
    }

    private sealed record LayerState(int Grid, int Dim, float[] Direction, BilinearUpsampler Upsampler);
}

/// <summary>The batch loss split into its two terms, each summed over layers.</summary>
public readonly record struct BatchLoss(double Focal, double Dice)
{
    public double Total => Focal + Dice;
}
