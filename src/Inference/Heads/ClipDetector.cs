using Microsoft.Extensions.Logging;
using Zsad.Imaging;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;
using Zsad.Inference.Engine;

namespace Zsad.Inference.Heads;

/// <summary>Runs a CLIP bundle over a volume: each axial slice with brain is standardised over its brain pixels,
/// min-max scaled to [0, 1] (the range of the images the methods were trained on), resized to the encoder input and
/// normalised with the manifest's mean/std; slices are batched through the encoder; the head's S x S map is scaled
/// into [0, 1], resized back (bilinear) to the slice and zeroed outside the brain. Volume image score = max over
/// slices of the head's image score. A head that averages over augmented views (AnoVL's augmented-mean) gets each
/// slice's 22 <see cref="AugmentedViews"/> encoded as one batch per slice instead.</summary>
public sealed class ClipDetector : IAnomalyDetector, IDisposable
{
    private readonly DetectorBundle _bundle;
    private readonly OnnxEngine _engine;
    private readonly ClipHead _head;
    /// <summary>The encoder outputs the head reads, in the order it takes them: the layers, then its extra outputs.</summary>
    private readonly (int Index, int[] ItemShape, string Meaning)[] _reads;
    private readonly int _globalOutput;
    private readonly int _textOutput;
    private bool _shapesChecked;
    private float[]? _viewInputs;
    private float[]? _viewGlobals;

    public ClipDetector(DetectorBundle bundle, EngineOptions? options = null, ILogger? logger = null)
    {
        _bundle = bundle;
        _head = ClipHeads.Create(bundle);
        _engine = OnnxEngine.Create(bundle.EncoderPath, options, logger);
        _reads =
        [
            .. bundle.Layers.Select((l, i) => (IndexOfOutput(l.Output!), new[] { _head.Layers[i].Grid * _head.Layers[i].Grid, _head.Layers[i].Dim }, "grid² patches without CLS, dim")),
            .. _head.ExtraOutputs.Select(o => (IndexOfOutput(o.Output), o.ItemShape, o.Meaning)),
        ];
        _globalOutput = _head.NeedsGlobal ? IndexOfOutput(bundle.Manifest.GlobalOutput ?? throw new BundleException($"detector bundle {bundle.Directory}: manifest.json has no 'globalOutput'")) : -1;
        _textOutput = _head.NeedsImageText ? IndexOfOutput(bundle.Manifest.TextOutput!) : -1;
    }

    public string Name => _bundle.Name;

    public ClipHead Head => _head;

    public OnnxEngine Engine => _engine;

    /// <summary>When set, detection adds its preprocessing, encoder, head and assembly times here.</summary>
    public StageTimings? Timings { get; set; }

    public AnomalyResult Detect(Volume<float> volume, Volume<byte>? mask = null)
    {
        var timings = Timings;
        var t = StageTimings.Now();
        mask ??= BrainMask.Compute(volume);
        var map = volume.Like<float>();
        var maskSlices = mask.Slices(AnatomicalPlane.Axial);
        var mapSlices = map.Slices(AnatomicalPlane.Axial);
        var (w, h, s) = (mapSlices.Width, mapSlices.Height, _head.Size);
        var maskPixels = new byte[w * h];
        var headMap = new float[s * s];
        var back = new float[w * h];
        var score = 0f;
        timings?.Add(StageTimings.Preprocess, t);
        foreach (var slice in EncodeSlices(volume, mask))
        {
            t = StageTimings.Now();
            var sliceScore = RunHead(slice, headMap) * _head.ScoreScale;
            t = timings?.Add(StageTimings.Head, t) ?? t;
            score = Math.Max(score, Math.Clamp(sliceScore, 0, 1));
            System.Numerics.Tensors.TensorPrimitives.Multiply(headMap, _head.MapScale, headMap);
            Resize2D.Resize(headMap, s, s, back, w, h, ResizeMode.Bilinear, alignCorners: false);
            maskSlices.CopySlice(slice.Slice, maskPixels);
            for (var p = 0; p < back.Length; p++)
                back[p] = maskPixels[p] == 0 ? 0 : Math.Clamp(back[p], 0, 1);
            mapSlices.WriteSlice(slice.Slice, back);
            timings?.Add(StageTimings.Assembly, t);
        }
        return new AnomalyResult(map, score);
    }

    /// <summary>The encoder outputs of every <paramref name="sliceStep"/>-th axial slice with brain, after this
    /// bundle's preprocessing: what the head scores, and what a few-shot memory bank is built from. The memory
    /// belongs to the engine and is only valid until the next item is asked for.</summary>
    public IEnumerable<EncodedSlice> EncodeSlices(Volume<float> volume, Volume<byte> mask, int sliceStep = 1)
    {
        if (sliceStep < 1)
            throw new ArgumentOutOfRangeException(nameof(sliceStep), $"the slice step must be 1 or more, not {sliceStep}");
        var timings = Timings;
        var t = StageTimings.Now();
        var slices = volume.Slices(AnatomicalPlane.Axial);
        var maskSlices = mask.Slices(AnatomicalPlane.Axial);
        var (w, h, s) = (slices.Width, slices.Height, _head.Size);
        var input = _bundle.Manifest.Input!;
        float[] mean = input.Mean!.Select(v => (float)v).ToArray(), std = input.Std!.Select(v => (float)v).ToArray();
        var pixels = new float[w * h];
        var maskPixels = new byte[w * h];
        var square = new float[s * s];
        var original = _head.NeedsViewGlobals ? new float[_engine.ItemSize] : [];
        var pending = new List<int>();
        var brainSlices = Enumerable.Range(0, slices.Count).Where(z =>
        {
            maskSlices.CopySlice(z, maskPixels);
            return maskPixels.AsSpan().ContainsAnyExcept((byte)0);
        }).ToList();
        for (var n = 0; n < brainSlices.Count; n += sliceStep)
        {
            var z = brainSlices[n];
            maskSlices.CopySlice(z, maskPixels);
            slices.CopySlice(z, pixels);
            SliceStandardization.StandardizeSlice(pixels, maskPixels);
            SliceStandardization.ToUnitRange(pixels, maskPixels);
            Resize2D.Resize(pixels, w, h, square, s, s, _bundle.ResizeMode, input.AlignCorners ?? false);
            if (_head.NeedsViewGlobals)
            {
                Channels.GreyToChannels(square, original, mean, std);
                t = timings?.Add(StageTimings.Preprocess, t) ?? t;
                var encoded = EncodeViews(original, z);
                timings?.Add(StageTimings.Encoder, t);
                yield return encoded;
                t = StageTimings.Now();
                continue;
            }
            Channels.GreyToChannels(square, _engine.Input.Slice(pending.Count * _engine.ItemSize, _engine.ItemSize), mean, std);
            pending.Add(z);
            if (pending.Count == _engine.MaxBatch || n + sliceStep >= brainSlices.Count)
            {
                t = timings?.Add(StageTimings.Preprocess, t) ?? t;
                var outputs = _engine.Run(pending.Count);
                timings?.Add(StageTimings.Encoder, t);
                for (var b = 0; b < pending.Count; b++)
                    yield return Item(outputs, b, pending[b]);
                pending.Clear();
                t = StageTimings.Now();
            }
        }
    }

    /// <summary>The head on item <paramref name="item"/> of an encoder run: its raw map (S x S) and raw score.</summary>
    public float RunHead(IReadOnlyList<float[]> outputs, int item, Span<float> map) => RunHead(Item(outputs, item, item), map);

    /// <summary>One slice's encoder input [3, S, S] (already normalised) through the encoder, with its augmented
    /// views when the head averages over them, then the head: its raw map (S x S) and raw score.</summary>
    public float EncodeAndRunHead(ReadOnlySpan<float> input, int slice, Span<float> map)
    {
        if (input.Length != _engine.ItemSize)
            throw new ArgumentException($"an encoder input holds {_engine.ItemSize} values, not {input.Length}", nameof(input));
        if (_head.NeedsViewGlobals)
            return RunHead(EncodeViews(input, slice), map);
        input.CopyTo(_engine.Input);
        return RunHead(Item(_engine.Run(1), 0, slice), map);
    }

    /// <summary>The slice's augmented views through the encoder, keeping only the global embedding of each; the
    /// batch holding the original (view 0) runs last, so the returned slice's layer outputs are still the engine's
    /// current ones.</summary>
    private EncodedSlice EncodeViews(ReadOnlySpan<float> input, int slice)
    {
        var (item, dim, batch) = (_engine.ItemSize, _head.EmbedDim, _engine.MaxBatch);
        var views = _viewInputs ??= new float[AugmentedViews.Count * item];
        var globals = _viewGlobals ??= new float[AugmentedViews.Count * dim];
        AugmentedViews.Write(input, _head.Size, views);
        IReadOnlyList<float[]> outputs = [];
        for (var start = (AugmentedViews.Count - 1) / batch * batch; start >= 0; start -= batch)
        {
            var n = Math.Min(batch, AugmentedViews.Count - start);
            views.AsSpan(start * item, n * item).CopyTo(_engine.Input);
            outputs = _engine.Run(n);
            CheckShapes();
            outputs[_globalOutput].AsSpan(0, n * dim).CopyTo(globals.AsSpan(start * dim));
        }
        return Item(outputs, 0, slice) with { ViewGlobals = globals };
    }

    private float RunHead(EncodedSlice slice, Span<float> map)
    {
        _head.StartSlice(slice.Slice);
        if (_head.NeedsViewGlobals)
            _head.SetViewGlobals(slice.ViewGlobals.Span);
        if (_textOutput >= 0)
            _head.SetImageText(slice.Text.Span);
        return _head.Run(slice.Outputs, slice.Global.Span, map);
    }

    /// <summary>Item <paramref name="item"/> of an encoder run, as views into the engine's output buffers.</summary>
    private EncodedSlice Item(IReadOnlyList<float[]> outputs, int item, int slice)
    {
        CheckShapes();
        var reads = new ReadOnlyMemory<float>[_reads.Length];
        for (var r = 0; r < reads.Length; r++)
        {
            var length = _reads[r].ItemShape.Aggregate(1, (a, d) => a * d);
            reads[r] = outputs[_reads[r].Index].AsMemory(item * length, length);
        }
        var global = _globalOutput < 0 ? ReadOnlyMemory<float>.Empty : outputs[_globalOutput].AsMemory(item * _head.EmbedDim, _head.EmbedDim);
        var text = _textOutput < 0 ? ReadOnlyMemory<float>.Empty : outputs[_textOutput].AsMemory(item * 2 * _head.EmbedDim, 2 * _head.EmbedDim);
        return new EncodedSlice(slice, reads, global, text);
    }

    public void Dispose() => _engine.Dispose();

    /// <summary>The token grid and width are only known once the encoder has run: check them against the manifest
    /// at the first batch, so a mislabelled export fails with a message instead of a garbled map.</summary>
    private void CheckShapes()
    {
        if (_shapesChecked)
            return;
        foreach (var (index, expected, meaning) in _reads)
        {
            var shape = _engine.OutputItemShapes[index];
            if (!shape.SequenceEqual(expected))
                throw new BundleException($"detector bundle {_bundle.Directory}: encoder output '{_engine.OutputNames[index]}' is [{string.Join(", ", shape)}] per slice, the manifest says [{string.Join(", ", expected)}] ({meaning})");
        }
        if (_globalOutput >= 0 && !_engine.OutputItemShapes[_globalOutput].SequenceEqual([_head.EmbedDim]))
            throw new BundleException($"detector bundle {_bundle.Directory}: global output is not [{_head.EmbedDim}] per slice");
        if (_textOutput >= 0 && !_engine.OutputItemShapes[_textOutput].SequenceEqual([2, _head.EmbedDim]))
            throw new BundleException($"detector bundle {_bundle.Directory}: text output '{_bundle.Manifest.TextOutput}' is [{string.Join(", ", _engine.OutputItemShapes[_textOutput])}] per slice, the manifest says [2, {_head.EmbedDim}] (normal, abnormal)");
        _shapesChecked = true;
    }

    private int IndexOfOutput(string name)
    {
        for (var i = 0; i < _engine.OutputNames.Count; i++)
            if (_engine.OutputNames[i] == name)
                return i;
        throw new BundleException($"detector bundle {_bundle.Directory}: the encoder has no output '{name}'");
    }
}
