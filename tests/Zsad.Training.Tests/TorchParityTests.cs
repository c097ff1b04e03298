using System.Runtime.InteropServices;
using System.Text.Json;
using Zsad.Training.Gradients;

namespace Zsad.Training.Tests;

/// <summary>One training step in C# against the same step in PyTorch (tools/export/train_reference.py, written after
/// VAND's train.py and loss.py): same inputs, same starting weights, compare the loss, the gradients and the
/// weights after Adam.</summary>
public sealed class TorchParityTests
{
    [Fact]
    public void One_adam_step_updates_the_weights_as_pytorch_does()
    {
        using var dir = new TempDir();
        var r = new Random(21);
        (int Grid, int Dim)[] layers = [(3, 8), (4, 6), (2, 10)];
        const int embed = 6, size = 19, batch = 3;
        const float temperature = 0.01f, lr = 1e-3f;
        // Text vectors close together, as CLIP's are: 100x logits of O(1), not a saturated softmax.
        var basis = Enumerable.Range(0, embed).Select(_ => r.NextDouble() - 0.5).ToArray();
        var text = new float[2 * embed];
        for (var c = 0; c < 2; c++)
        {
            var row = text.AsSpan(c * embed, embed);
            for (var i = 0; i < embed; i++) row[i] = (float)(basis[i] + 0.05 * (r.NextDouble() - 0.5));
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }
        var (weights, biases) = AdapterHead.Initialise(layers, embed, seed: 5);
        var tokens = Enumerable.Range(0, batch).Select(_ => (IReadOnlyList<float[]>)layers.Select(l => Random(r, l.Grid * l.Grid * l.Dim)).ToArray()).ToArray();
        var targets = Enumerable.Range(0, batch).Select(i => Enumerable.Range(0, size * size).Select(p => (p % size > 4 + 3 * i && p / size < 9) ? 1f : 0f).ToArray()).ToArray();
        var head = new AdapterHead(layers, embed, size, temperature, text, weights, biases);

        Write(dir.File("tokens.f32"), tokens.SelectMany(t => t).ToArray());
        Write(dir.File("targets.f32"), targets);
        Write(dir.File("text.f32"), [text]);
        Write(dir.File("params.f32"), head.Parameters);
        File.WriteAllText(dir.File("info.json"), JsonSerializer.Serialize(new
        {
            batch, size, embed, temperature = (double)temperature, lr = (double)lr,
            layers = layers.Select(l => new[] { l.Grid, l.Dim }).ToArray(),
        }));
        TorchReference.Run("train_reference.py", dir.Path);

        var gradients = head.Parameters.Select(p => new float[p.Length]).ToArray();
        var loss = head.Accumulate(tokens, targets, gradients);
        new Adam(head.Parameters.Select(p => p.Length).ToArray(), lr).Update(head.Parameters, gradients);

        using var expectedLoss = JsonDocument.Parse(File.ReadAllText(dir.File("loss.json")));
        Assert.Equal(expectedLoss.RootElement.GetProperty("focal").GetDouble(), loss.Focal, 1e-5);
        Assert.Equal(expectedLoss.RootElement.GetProperty("dice").GetDouble(), loss.Dice, 1e-5);
        var expectedGradients = Read(dir.File("grads.f32"));
        var expectedWeights = Read(dir.File("updated.f32"));
        var actualGradients = gradients.SelectMany(g => g).ToArray();
        var actualWeights = head.Parameters.SelectMany(p => p).ToArray();
        Assert.Equal(expectedWeights.Length, actualWeights.Length);
        var scale = expectedGradients.Max(MathF.Abs);
        for (var i = 0; i < actualWeights.Length; i++)
        {
            Assert.True(MathF.Abs(expectedGradients[i] - actualGradients[i]) <= 1e-4f * scale, $"gradient {i}: torch {expectedGradients[i]}, C# {actualGradients[i]}");
            Assert.True(MathF.Abs(expectedWeights[i] - actualWeights[i]) <= 1e-5f, $"weight {i}: torch {expectedWeights[i]}, C# {actualWeights[i]}");
        }
    }

    private static float[] Random(Random r, int n) => Enumerable.Range(0, n).Select(_ => (float)(2 * r.NextDouble() - 1)).ToArray();

    private static void Write(string path, IEnumerable<float[]> tensors)
    {
        using var file = File.Create(path);
        foreach (var t in tensors)
            file.Write(MemoryMarshal.AsBytes(t.AsSpan()));
    }

    private static float[] Read(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
