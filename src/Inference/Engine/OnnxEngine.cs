using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Zsad.Inference.Engine;

/// <summary>One ONNX Runtime session for one model, created once and reused for every batch. The model takes one
/// float input [N, ...]; callers fill <see cref="Input"/> for up to <see cref="MaxBatch"/> items and read each
/// output from reused buffers. Not thread-safe: one engine per consumer.</summary>
public sealed class OnnxEngine : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input;
    private readonly float[][] _outputs;
    private readonly bool _outputShapesKnown;

    private OnnxEngine(InferenceSession session, ExecutionProviderKind provider, string? fallbackReason, int maxBatch)
    {
        _session = session;
        ExecutionProvider = provider;
        FallbackReason = fallbackReason;
        MaxBatch = maxBatch;
        if (session.InputMetadata.Count != 1)
            throw new InvalidOperationException($"the engine expects a model with one input, this one has {session.InputMetadata.Count}");
        var (inputName, inputMeta) = session.InputMetadata.First();
        InputName = inputName;
        ItemShape = inputMeta.Dimensions.Skip(1).ToArray();
        if (ItemShape.Any(d => d <= 0))
            throw new InvalidOperationException($"input '{inputName}' has unknown non-batch dimensions [{string.Join(", ", inputMeta.Dimensions)}]");
        _input = new float[maxBatch * ItemShape.Aggregate(1, (a, b) => a * b)];
        OutputNames = session.OutputMetadata.Keys.ToArray();
        OutputItemShapes = session.OutputMetadata.Values.Select(m => m.Dimensions.Skip(1).ToArray()).ToArray();
        _outputShapesKnown = OutputItemShapes.All(s => s.All(d => d > 0));
        _outputs = OutputItemShapes.Select(s => _outputShapesKnown ? new float[maxBatch * s.Aggregate(1, (a, b) => a * b)] : []).ToArray();
    }

    /// <summary>The provider the session runs on; what health checks report.</summary>
    public ExecutionProviderKind ExecutionProvider { get; }

    /// <summary>Why CUDA was not used although it was asked for (null when it was used or not asked for).</summary>
    public string? FallbackReason { get; }

    public int MaxBatch { get; }

    public string InputName { get; }

    /// <summary>The input shape without the batch dimension, e.g. [3, 224, 224].</summary>
    public int[] ItemShape { get; }

    public int ItemSize => _input.Length / MaxBatch;

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Output shapes without the batch dimension; -1 where ONNX Runtime could not infer a dimension
    /// (then <see cref="Run"/> learns it from the first run).</summary>
    public IReadOnlyList<int[]> OutputItemShapes { get; private set; }

    /// <summary>The reused input buffer: item b occupies [b * ItemSize, (b + 1) * ItemSize).</summary>
    public Span<float> Input => _input;

    public static OnnxEngine Create(string modelPath, EngineOptions? options = null, ILogger? logger = null)
        => Create(File.ReadAllBytes(modelPath), options, logger);

    /// <summary>Why CUDA failed in this process, once known: the provider library does not appear later, so
    /// later sessions go straight to CPU instead of paying for (and printing) the failed load again.</summary>
    private static string? s_cudaUnavailable;

    static OnnxEngine()
    {
        // ONNX Runtime prints its own error line when the CUDA provider library cannot load; Zsad reports that
        // itself, with the reason, as a warning and in the engine's FallbackReason. Must run before any other ORT use.
        var env = new EnvironmentCreationOptions { logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, logId = "zsad" };
        OrtEnv.CreateInstanceWithOptions(ref env);
    }

    public static OnnxEngine Create(byte[] model, EngineOptions? options = null, ILogger? logger = null)
    {
        options ??= EngineOptions.Default;
        logger ??= NullLogger.Instance;
        if (options.MaxBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxBatch must be at least 1");
        var tryCuda = options.PreferCuda || options.RequireCuda;
        var reason = tryCuda ? s_cudaUnavailable : null;
        if (tryCuda && reason is null)
        {
            SessionOptions? cuda = null;
            try
            {
                cuda = NewOptions(options);
                cuda.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                var session = new InferenceSession(model, cuda);
                logger.LogInformation("ONNX Runtime session on CUDA device {Device}", options.CudaDeviceId);
                return new OnnxEngine(session, ExecutionProviderKind.Cuda, null, options.MaxBatch);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // GetAvailableProviders() lists CUDA whenever the GPU build is installed, GPU or not: only trying tells.
                reason = s_cudaUnavailable = $"{ex.GetType().Name}: {FirstLine(ex.Message)}";
                if (options.RequireCuda)
                    throw new InvalidOperationException($"the CUDA execution provider was required but did not load: {reason}", ex);
                logger.LogWarning("CUDA execution provider unavailable, falling back to CPU: {Reason}", reason);
            }
            finally
            {
                cuda?.Dispose();
            }
        }
        if (options.RequireCuda)
            throw new InvalidOperationException($"the CUDA execution provider was required but did not load earlier in this process: {reason}");
        using var cpu = NewOptions(options);
        var cpuSession = new InferenceSession(model, cpu);
        logger.LogInformation("ONNX Runtime session on CPU with {Threads} intra-op threads", cpu.IntraOpNumThreads);
        return new OnnxEngine(cpuSession, ExecutionProviderKind.Cpu, reason, options.MaxBatch);
    }

    /// <summary>Runs the first <paramref name="batch"/> items of <see cref="Input"/>; returns, per output, the
    /// buffer whose first batch x item-size values are the result (valid until the next run).</summary>
    public IReadOnlyList<float[]> Run(int batch)
    {
        if (batch < 1 || batch > MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be 1..{MaxBatch}, not {batch}");
        long[] inputShape = [batch, .. ItemShape.Select(d => (long)d)];
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, batch * ItemSize), inputShape);
        if (_outputShapesKnown)
        {
            var outputs = new OrtValue[OutputNames.Count];
            try
            {
                for (var o = 0; o < outputs.Length; o++)
                {
                    var item = OutputItemShapes[o];
                    var size = item.Aggregate(1, (a, b) => a * b);
                    outputs[o] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _outputs[o].AsMemory(0, batch * size), [batch, .. item.Select(d => (long)d)]);
                }
                _session.Run(_runOptions, [InputName], [input], OutputNames.ToArray(), outputs);
            }
            finally
            {
                foreach (var v in outputs)
                    v?.Dispose();
            }
            return _outputs;
        }
        using var results = _session.Run(_runOptions, [InputName], [input], OutputNames.ToArray());
        var shapes = new int[results.Count][];
        for (var o = 0; o < results.Count; o++)
        {
            var span = results[o].GetTensorDataAsSpan<float>();
            if (_outputs[o].Length < span.Length)
                _outputs[o] = new float[span.Length * MaxBatch / batch];
            span.CopyTo(_outputs[o]);
            shapes[o] = results[o].GetTensorTypeAndShape().Shape.Skip(1).Select(d => (int)d).ToArray();
        }
        OutputItemShapes = shapes;
        return _outputs;
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private static SessionOptions NewOptions(EngineOptions options)
    {
        var o = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        return o;
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return i < 0 ? s : s[..i].TrimEnd();
    }
}
