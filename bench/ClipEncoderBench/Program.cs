using System.Diagnostics;
using Zsad.Inference.Bundles;
using Zsad.Inference.Engine;
using Zsad.Inference.Heads;

// Encoder slices/s through Zsad's OnnxEngine at each batch size, and the VAND head's time per slice, zero-shot and
// few-shot; median of RUNS timed batches after one warm-up per size:
//   ClipEncoderBench BUNDLES_DIR BATCHES RUNS THREADS [cpu|cuda]        BATCHES: comma list, e.g. 1,8,32,155
// prints "provider NAME", one "batch B SLICES_PER_S" line per size, then "head ZERO_MS FEW_MS" (ms per slice).
// With cuda, exits 3 naming the reason when the CUDA provider did not load: OnnxEngine falls back to the CPU, and
// CPU numbers must never pass for GPU ones.
var (dir, runs, threads) = (args[0], int.Parse(args[2]), int.Parse(args[3]));
var batches = args[1].Split(',').Select(int.Parse).ToArray();
var provider = args.Length > 4 ? args[4] : "cpu";
if (provider is not ("cpu" or "cuda"))
{
    Console.Error.WriteLine($"provider must be cpu or cuda, not '{provider}'");
    return 2;
}
var options = new EngineOptions { PreferCuda = provider == "cuda", MaxBatch = batches.Max(), IntraOpThreads = threads };
using var zero = new ClipDetector(BundleLoader.Load(Path.Combine(dir, "zero-shot")), options);
if (provider == "cuda" && zero.Engine.ExecutionProvider != ExecutionProviderKind.Cuda)
{
    Console.Error.WriteLine($"CUDA execution provider did not load, refusing to time the CPU fallback: {zero.Engine.FallbackReason}");
    return 3;
}
Console.WriteLine($"provider {zero.Engine.ExecutionProvider}");
var random = new Random(0);
for (var i = 0; i < zero.Engine.Input.Length; i++)
    zero.Engine.Input[i] = (float)(random.NextDouble() * 2 - 1);
foreach (var batch in batches)
{
    zero.Engine.Run(batch);
    var encoder = new List<double>();
    for (var r = 0; r < runs; r++)
    {
        var sw = Stopwatch.StartNew();
        zero.Engine.Run(batch);
        encoder.Add(sw.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"batch {batch} {batch / Median(encoder):F3}");
    Console.Out.Flush();
}
var headBatch = batches.Min();
var outputs = zero.Engine.Run(headBatch);
var fewHead = ClipHeads.Create(BundleLoader.Load(Path.Combine(dir, "few-shot")));
Console.WriteLine($"head {HeadMs(zero.Head) * 1000:F2} {HeadMs(fewHead) * 1000:F2}");
return 0;

double HeadMs(ClipHead head)
{
    var names = zero.Engine.OutputNames.ToList();
    var map = new float[head.Size * head.Size];
    var times = new List<double>();
    for (var r = 0; r <= runs; r++)
    {
        var sw = Stopwatch.StartNew();
        for (var b = 0; b < headBatch; b++)
        {
            var tokens = head.Bundle.Layers.Select((l, i) =>
            {
                var count = head.Layers[i].Grid * head.Layers[i].Grid * head.Layers[i].Dim;
                return (ReadOnlyMemory<float>)outputs[names.IndexOf(l.Output!)].AsMemory(b * count, count);
            }).ToList();
            head.Run(tokens, outputs[names.IndexOf("global")].AsSpan(b * head.EmbedDim, head.EmbedDim), map);
        }
        if (r > 0)
            times.Add(sw.Elapsed.TotalSeconds / headBatch);
    }
    return Median(times);
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}
