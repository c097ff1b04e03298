using Zsad.Inference.Backbones;
using Zsad.Inference.Engine;
using Zsad.Inference.Onnx;

namespace Zsad.Inference.Tests.Onnx;

public sealed class ResNet18GraphTests
{
    private static string ModelPath => Path.Combine(ResNet18Backbone.DefaultModelDirectory, ResNet18Backbone.ModelFileName);

    [Fact]
    public void StageOutputs_AreTheLastReluOfEachChannelCount()
    {
        var model = OnnxModel.Load(ModelPath);
        Assert.Equal(74, model.Nodes.Count);
        Assert.Equal(["Input247"], model.GraphInputs);
        Assert.Equal([64, 128, 256, 512], FeatureStages.Find(model).Select(s => s.Channels));
    }

    [Fact]
    public void EditedGraph_ReturnsFourStagesWithSymbolicBatch_AndTheSameFinalOutput()
    {
        using var edited = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 2 });
        var shapes = edited.StageOutputIndex.Select(i => edited.Engine.OutputItemShapes[i]).ToList();
        Assert.Equal([64, 56, 56], shapes[0]);
        Assert.Equal([128, 28, 28], shapes[1]);
        Assert.Equal([256, 14, 14], shapes[2]);
        Assert.Equal([512, 7, 7], shapes[3]);

        var rng = new Random(5);
        var input = new float[2 * 3 * 224 * 224];
        for (var i = 0; i < input.Length; i++)
            input[i] = (float)(rng.NextDouble() * 255 - 120);
        input.CopyTo(edited.Engine.Input);
        var outputs = edited.Engine.Run(2);
        var finalIndex = edited.Engine.OutputNames.ToList().IndexOf(edited.FinalOutput);
        var editedFinal = outputs[finalIndex].AsSpan(0, 2 * 512).ToArray();

        // The unedited model (batch fixed at 1), one image at a time.
        using var original = OnnxEngine.Create(ModelPath, new EngineOptions { PreferCuda = false, MaxBatch = 1 });
        Assert.Single(original.OutputNames);
        for (var b = 0; b < 2; b++)
        {
            input.AsSpan(b * 3 * 224 * 224, 3 * 224 * 224).CopyTo(original.Input);
            var reference = original.Run(1)[0].AsSpan(0, 512).ToArray();
            for (var i = 0; i < 512; i++)
                Assert.True(Math.Abs(reference[i] - editedFinal[b * 512 + i]) <= 1e-4f * Math.Max(1, Math.Abs(reference[i])),
                    $"image {b} value {i}: {editedFinal[b * 512 + i]} vs {reference[i]}");
        }
    }
}
