using Microsoft.Extensions.Logging;
using Zsad.Inference.Engine;
using Zsad.Inference.Onnx;

namespace Zsad.Inference.Backbones;

/// <summary>ImageNet ResNet18 (ML.NET's DnnImageFeaturizer export, a CNTK graph) with its four stage outputs made
/// graph outputs and a symbolic batch. The graph expects Caffe-style input: 0-255 BGR minus a per-pixel mean image
/// (the MeanImage initializer of the companion ResNetPreprocess.onnx), which <see cref="WriteInput"/> applies.</summary>
public sealed class ResNet18Backbone : IDisposable
{
    public const int InputSize = 224;
    public const string ModelFileName = "ResNet18.onnx";
    public const string PreprocessFileName = "ResNetPreprocess.onnx";

    private readonly float[] _meanImage;

    private ResNet18Backbone(OnnxEngine engine, float[] meanImage, IReadOnlyList<(string Tensor, int Channels)> stages, string finalOutput)
    {
        Engine = engine;
        _meanImage = meanImage;
        Stages = stages;
        FinalOutput = finalOutput;
        StageOutputIndex = stages.Select(s => engine.OutputNames.ToList().IndexOf(s.Tensor)).ToArray();
    }

    public OnnxEngine Engine { get; }

    /// <summary>Stage tensors in graph order with their channel counts (64, 128, 256, 512).</summary>
    public IReadOnlyList<(string Tensor, int Channels)> Stages { get; }

    /// <summary>The model's own output (the pooled 512-d embedding).</summary>
    public string FinalOutput { get; }

    /// <summary>For each stage, its index among the engine's outputs.</summary>
    public IReadOnlyList<int> StageOutputIndex { get; }

    /// <summary>The folder the build copies the NuGet package's models into.</summary>
    public static string DefaultModelDirectory => Path.Combine(AppContext.BaseDirectory, "models");

    public static ResNet18Backbone Load(string? modelDirectory = null, EngineOptions? options = null, ILogger? logger = null)
    {
        modelDirectory ??= DefaultModelDirectory;
        var modelPath = Path.Combine(modelDirectory, ModelFileName);
        var prepPath = Path.Combine(modelDirectory, PreprocessFileName);
        foreach (var p in new[] { modelPath, prepPath })
            if (!File.Exists(p))
                throw new FileNotFoundException($"{p} is missing: it is copied from NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 at build time", p);
        var original = File.ReadAllBytes(modelPath);
        var graph = new OnnxModel(original);
        var stages = FeatureStages.Find(graph);
        if (stages.Count != 4 || !stages.Select(s => s.Channels).SequenceEqual([64, 128, 256, 512]))
            throw new OnnxFormatException($"{modelPath}: expected stages of 64, 128, 256 and 512 channels, found [{string.Join(", ", stages.Select(s => s.Channels))}]");
        if (graph.GraphOutputs.Count != 1)
            throw new OnnxFormatException($"{modelPath}: expected one graph output, found {graph.GraphOutputs.Count}");
        var edited = OnnxGraphEditor.ExposeOutputs(original, stages.Select(s => s.Tensor).ToList());
        var mean = ReadMeanImage(prepPath);
        var engine = OnnxEngine.Create(edited, options, logger);
        return new ResNet18Backbone(engine, mean, stages, graph.GraphOutputs[0]) { EditedGraph = edited };
    }

    /// <summary>A backbone from the edited graph (stage outputs exposed) and the mean image, as a feature-memory
    /// bundle stores them.</summary>
    public static ResNet18Backbone FromEditedGraph(byte[] edited, float[] meanImage, EngineOptions? options = null, ILogger? logger = null)
    {
        if (meanImage.Length != 3 * InputSize * InputSize)
            throw new OnnxFormatException($"the mean image holds {meanImage.Length} values, not 3 x {InputSize} x {InputSize}");
        var graph = new OnnxModel(edited);
        var stages = FeatureStages.Find(graph);
        if (stages.Count != 4 || !stages.Select(s => s.Channels).SequenceEqual([64, 128, 256, 512]))
            throw new OnnxFormatException($"expected stages of 64, 128, 256 and 512 channels, found [{string.Join(", ", stages.Select(s => s.Channels))}]");
        var final = graph.GraphOutputs.Except(stages.Select(s => s.Tensor)).ToList();
        if (final.Count != 1 || stages.Any(s => !graph.GraphOutputs.Contains(s.Tensor)))
            throw new OnnxFormatException($"the graph's outputs [{string.Join(", ", graph.GraphOutputs)}] are not the four stages and the embedding");
        var engine = OnnxEngine.Create(edited, options, logger);
        return new ResNet18Backbone(engine, meanImage, stages, final[0]) { EditedGraph = edited };
    }

    /// <summary>The ONNX graph the engine runs (the NuGet model with its stage outputs exposed).</summary>
    public byte[] EditedGraph { get; private init; } = [];

    /// <summary>Caffe mean image [3, 224, 224] subtracted from the BGR input.</summary>
    public ReadOnlySpan<float> MeanImage => _meanImage;

    /// <summary>Writes one grey image (InputSize x InputSize, display scale 0-255) as item <paramref name="index"/>
    /// of the engine's input: the same value in B, G and R, minus the mean image.</summary>
    public void WriteInput(int index, ReadOnlySpan<float> grey255)
    {
        const int plane = InputSize * InputSize;
        if (grey255.Length != plane)
            throw new ArgumentException($"expected {InputSize}x{InputSize} pixels, got {grey255.Length}", nameof(grey255));
        var dst = Engine.Input.Slice(index * 3 * plane, 3 * plane);
        for (var c = 0; c < 3; c++)
            System.Numerics.Tensors.TensorPrimitives.Subtract(grey255, _meanImage.AsSpan(c * plane, plane), dst.Slice(c * plane, plane));
    }

    public void Dispose() => Engine.Dispose();

    private static float[] ReadMeanImage(string prepPath)
    {
        var prep = OnnxModel.Load(prepPath);
        var mean = prep.Initializers.Values.FirstOrDefault(i => i.Dims.SequenceEqual([1L, 3, InputSize, InputSize]))
            ?? throw new OnnxFormatException($"{prepPath}: no [1,3,{InputSize},{InputSize}] mean image initializer");
        var values = prep.ReadFloats(mean.Name);
        if (values.Length != 3 * InputSize * InputSize)
            throw new OnnxFormatException($"{prepPath}: mean image '{mean.Name}' holds {values.Length} values");
        return values;
    }
}
