using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zsad.Imaging;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;
using Zsad.Inference.Engine;
using Zsad.Inference.Heads;

namespace Zsad.Inference.Tests.Heads;

/// <summary>The C# heads against the PyTorch reference (tools/export/zsad_export/reference.py) on a tiny
/// random-weight model: the encoder runs through ONNX Runtime here and through PyTorch eager there, so a match proves
/// the export and the head together. Random weights: the numbers carry no detection meaning.</summary>
public sealed class HeadParityTests(ParityFixture fixture, ITestOutputHelper output) : IClassFixture<ParityFixture>
{
    private const float Tolerance = 1e-4f;

    [Theory]
    [InlineData("vand")]
    [InlineData("vand-fewshot")]
    [InlineData("anomalyclip")]
    [InlineData("anovl")]
    [InlineData("anovl-augmented")]
    [InlineData("mediclip")]
    [InlineData("mvfa")]
    [InlineData("adaclip")]
    [InlineData("mvfa-fewshot")]
    [InlineData("winclip")]
    [InlineData("winclip-fewshot")]
    public void Head_matches_the_PyTorch_reference(string name)
    {
        var dir = fixture.CaseDir(name);
        var bundle = BundleLoader.Load(Path.Combine(dir, "bundle"));
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "parity", "info.json")))!;
        int n = (int)info["n"]!, size = (int)info["size"]!;
        var inputs = ReadFloats(Path.Combine(dir, "parity", "inputs.f32"));
        var expectedMap = ReadFloats(Path.Combine(dir, "parity", "expected_map.f32"));
        var expectedScore = ReadFloats(Path.Combine(dir, "parity", "expected_score.f32"));

        using var detector = new ClipDetector(bundle, new EngineOptions { PreferCuda = false, MaxBatch = n, IntraOpThreads = 2 });
        var head = detector.Head;
        Assert.Equal(size, head.Size);
        inputs.CopyTo(detector.Engine.Input);
        var outputs = detector.Engine.Run(n);
        var map = new float[size * size];
        float mapError = 0, scoreError = 0;
        var item = detector.Engine.ItemSize;
        for (var b = 0; b < n; b++)
        {
            // A head that averages over augmented views gets them made here in C# and run through ONNX Runtime
            // (three views a batch at MaxBatch n): the reference made them with torch's grid_sample.
            var score = head.NeedsViewGlobals
                ? detector.EncodeAndRunHead(inputs.AsSpan(b * item, item), b, map)
                : detector.RunHead(outputs, b, map);
            for (var p = 0; p < map.Length; p++)
                mapError = Math.Max(mapError, Math.Abs(map[p] - expectedMap[b * map.Length + p]));
            scoreError = Math.Max(scoreError, Math.Abs(score - expectedScore[b]));
        }
        output.WriteLine($"{name}: max |map - reference| = {mapError:E2}, max |score - reference| = {scoreError:E2}");
        Assert.True(mapError <= Tolerance, $"{name}: map differs from the PyTorch reference by {mapError:E2}");
        Assert.True(scoreError <= Tolerance, $"{name}: image score differs from the PyTorch reference by {scoreError:E2}");
    }

    /// <summary>AnoVL with its test-time adapter: the C# adapter (hand-written gradients, AdamW) replays the
    /// reference's random draws (parity/draws.f32) and must land on the map of PyTorch's autograd + AdamW.</summary>
    [Fact]
    public void AnoVl_test_time_adapter_matches_the_PyTorch_reference()
    {
        var dir = fixture.CaseDir("anovl-tta");
        var bundle = BundleLoader.Load(Path.Combine(dir, "bundle"));
        var inputs = ReadFloats(Path.Combine(dir, "parity", "inputs.f32"));
        var expectedMap = ReadFloats(Path.Combine(dir, "parity", "expected_map.f32"));
        var expectedScore = ReadFloats(Path.Combine(dir, "parity", "expected_score.f32"));
        var n = expectedScore.Length;

        using var detector = new ClipDetector(bundle, new EngineOptions { PreferCuda = false, MaxBatch = n, IntraOpThreads = 2 });
        var head = Assert.IsType<AnoVlHead>(detector.Head);
        Assert.True(head.AdaptsAtTestTime);
        head.Draws = new RecordedDraws(ReadFloats(Path.Combine(dir, "parity", "draws.f32")));
        bundle.Manifest.TestTimeAdapter = null;
        var plain = ClipHeads.Create(bundle);
        inputs.CopyTo(detector.Engine.Input);
        var outputs = detector.Engine.Run(n);
        var names = detector.Engine.OutputNames.ToList();
        var (grid, dim) = head.Layers[0];
        var map = new float[head.Size * head.Size];
        var plainMap = new float[map.Length];
        float mapError = 0, scoreError = 0, adaptation = 0;
        for (var b = 0; b < n; b++)
        {
            ReadOnlyMemory<float>[] tokens = [outputs[names.IndexOf(bundle.Layers[0].Output!)].AsMemory(b * grid * grid * dim, grid * grid * dim)];
            var global = outputs[names.IndexOf(bundle.Manifest.GlobalOutput!)].AsSpan(b * head.EmbedDim, head.EmbedDim);
            var score = head.Run(tokens, global, map);
            plain.Run(tokens, global, plainMap);
            for (var p = 0; p < map.Length; p++)
            {
                mapError = Math.Max(mapError, Math.Abs(map[p] - expectedMap[b * map.Length + p]));
                adaptation = Math.Max(adaptation, Math.Abs(map[p] - plainMap[p]));
            }
            scoreError = Math.Max(scoreError, Math.Abs(score - expectedScore[b]));
        }
        output.WriteLine($"anovl-tta: max |map - reference| = {mapError:E2}, max |score - reference| = {scoreError:E2}, max |adapted - unadapted map| = {adaptation:E2}");
        Assert.True(adaptation > 50 * Tolerance, $"the adapter barely moved the map ({adaptation:E2}): the parity would prove nothing");
        Assert.True(mapError <= Tolerance, $"anovl-tta: map differs from the PyTorch reference by {mapError:E2}");
        Assert.True(scoreError <= Tolerance, $"anovl-tta: image score differs from the PyTorch reference by {scoreError:E2}");
    }

    /// <summary>AnoVL's 22 views made in C# against the reference's torch affine_grid + grid_sample (bilinear,
    /// reflection padding, align_corners True), flip, grey and rot90 on the parity slices.</summary>
    [Fact]
    public void AnoVl_augmented_views_match_torch_grid_sample_with_reflection_and_align_corners()
    {
        var dir = fixture.CaseDir("anovl-augmented");
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "parity", "info.json")))!;
        int n = (int)info["n"]!, size = (int)info["size"]!;
        var inputs = ReadFloats(Path.Combine(dir, "parity", "inputs.f32"));
        var expected = ReadFloats(Path.Combine(dir, "parity", "views.f32"));   // [22, n, 3, S, S]
        var item = 3 * size * size;
        Assert.Equal(AugmentedViews.Count * n * item, expected.Length);
        var views = new float[AugmentedViews.Count * item];
        var error = new float[AugmentedViews.Count];
        for (var b = 0; b < n; b++)
        {
            AugmentedViews.Write(inputs.AsSpan(b * item, item), size, views);
            for (var v = 0; v < AugmentedViews.Count; v++)
                for (var p = 0; p < item; p++)
                    error[v] = Math.Max(error[v], Math.Abs(views[v * item + p] - expected[(v * n + b) * item + p]));
        }
        output.WriteLine($"max |view - torch| per view: {string.Join(", ", error.Select(e => e.ToString("E1")))}");
        Assert.All(error.Select((e, v) => (e, v)), x => Assert.True(x.e <= Tolerance, $"view {x.v} differs from torch by {x.e:E2}"));
        // The views must really differ from the original, or the average would prove nothing.
        Assert.All(Enumerable.Range(1, AugmentedViews.Count - 1), v =>
            Assert.False(views.AsSpan(v * item, item).SequenceEqual(views.AsSpan(0, item)), $"view {v} equals the original"));
    }

    /// <summary>Guards the parity case itself: if the 22-view mean were within the tolerance of the single view's
    /// score, a head ignoring the views would pass it.</summary>
    [Fact]
    public void AnoVl_augmented_mean_differs_from_the_single_view_score()
    {
        var dir = fixture.CaseDir("anovl-augmented");
        var bundle = BundleLoader.Load(Path.Combine(dir, "bundle"));
        var inputs = ReadFloats(Path.Combine(dir, "parity", "inputs.f32"));
        using var detector = new ClipDetector(bundle, new EngineOptions { PreferCuda = false, MaxBatch = 22, IntraOpThreads = 2 });
        Assert.True(detector.Head.NeedsViewGlobals);
        bundle.Manifest.ImageScore = "global-softmax";
        using var single = new ClipDetector(bundle, new EngineOptions { PreferCuda = false, MaxBatch = 1, IntraOpThreads = 2 });
        Assert.False(single.Head.NeedsViewGlobals);
        var item = detector.Engine.ItemSize;
        var map = new float[detector.Head.Size * detector.Head.Size];
        var singleMap = new float[map.Length];
        var difference = 0f;
        for (var b = 0; b < inputs.Length / item; b++)
        {
            var augmented = detector.EncodeAndRunHead(inputs.AsSpan(b * item, item), b, map);
            var plain = single.EncodeAndRunHead(inputs.AsSpan(b * item, item), b, singleMap);
            output.WriteLine($"slice {b}: 22-view mean {augmented}, single view {plain}");
            difference = Math.Max(difference, Math.Abs(augmented - plain));
            Assert.All(map.Zip(singleMap), pair => Assert.InRange(Math.Abs(pair.First - pair.Second), 0f, Tolerance));
        }
        Assert.True(difference > 5 * Tolerance, $"the 22-view means differ from the single-view scores by at most {difference:E2}");
    }

    /// <summary>The service path (EncodeSlices per slice): the augmented mean changes the volume's image score, the
    /// map stays that of the original views.</summary>
    [Fact]
    public void AnoVl_augmented_mean_over_a_volume_keeps_the_single_view_map()
    {
        var bundleDir = Path.Combine(fixture.CaseDir("anovl-augmented"), "bundle");
        var (volume, mask) = SmallVolume();
        var options = new EngineOptions { PreferCuda = false, MaxBatch = 4, IntraOpThreads = 2 };
        using var augmented = new ClipDetector(BundleLoader.Load(bundleDir), options);
        var withViews = augmented.Detect(volume, mask);
        var plainBundle = BundleLoader.Load(bundleDir);
        plainBundle.Manifest.ImageScore = "global-softmax";
        using var plain = new ClipDetector(plainBundle, options);
        var single = plain.Detect(volume, mask);
        output.WriteLine($"volume score: 22-view mean {withViews.ImageScore}, single view {single.ImageScore}");
        Assert.All(withViews.Map.Data.ToArray().Zip(single.Map.Data.ToArray()), pair => Assert.InRange(Math.Abs(pair.First - pair.Second), 0f, Tolerance));
        Assert.InRange(withViews.ImageScore, 0, 1);
        Assert.True(Math.Abs(withViews.ImageScore - single.ImageScore) > 10 * Tolerance, $"the 22-view volume score {withViews.ImageScore} barely differs from the single-view one {single.ImageScore}");
    }

    [Fact]
    public void AnoVl_head_refuses_an_augmented_mean_run_without_the_views()
    {
        var bundle = BundleLoader.Load(Path.Combine(fixture.CaseDir("anovl-augmented"), "bundle"));
        var head = ClipHeads.Create(bundle);
        var (grid, dim) = head.Layers[0];
        var ex = Assert.Throws<InvalidOperationException>(() => head.Run([new float[grid * grid * dim]], new float[head.EmbedDim], new float[head.Size * head.Size]));
        Assert.EndsWith("averages its image score over augmented views: call SetViewGlobals before each Run", ex.Message);
    }

    [Fact]
    public void Catalog_runs_an_adaclip_bundle_with_per_image_text()
    {
        var detector = DetectorCatalog.Create(Path.Combine(fixture.CaseDir("adaclip"), "bundle"), normalsDirectory: null);
        try
        {
            var (volume, mask) = SmallVolume();
            var result = detector.Detect(volume, mask);
            Assert.True(result.Map.HasSameGrid(volume));
            Assert.All(result.Map.Data, v => Assert.InRange(v, 0f, 1f));
            Assert.Contains(result.Map.Data, v => v > 0);
            Assert.InRange(result.ImageScore, 0, 1);
        }
        finally
        {
            (detector as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void AnoVl_test_time_adapter_gives_a_slice_the_same_map_every_run()
    {
        var bundleDir = Path.Combine(fixture.CaseDir("anovl-tta"), "bundle");
        var (volume, mask) = SmallVolume();
        var maps = new List<float[]>();
        foreach (var batch in new[] { 3, 3, 1 })
        {
            using var detector = new ClipDetector(BundleLoader.Load(bundleDir), new EngineOptions { PreferCuda = false, MaxBatch = batch, IntraOpThreads = 2 });
            maps.Add(detector.Detect(volume, mask).Map.Data.ToArray());
        }
        Assert.Equal(maps[0], maps[1]);
        // Another batching may change the encoder's last bits, not the draws: the seed is the slice index.
        Assert.All(maps[0].Zip(maps[2]), pair => Assert.InRange(Math.Abs(pair.First - pair.Second), 0f, 1e-4f));
    }

    private static (Volume<float> Volume, Volume<byte> Mask) SmallVolume()
    {
        var volume = new Volume<float>(40, 36, 5, Affine.Identity);
        var mask = volume.Like<byte>();
        for (var k = 1; k < 4; k++)
            for (var j = 6; j < 30; j++)
                for (var i = 8; i < 34; i++)
                {
                    volume.Data[volume.IndexOf(i, j, k)] = 100 + 20 * MathF.Sin(i * 0.4f) + 3 * j + k;
                    mask.Data[mask.IndexOf(i, j, k)] = 1;
                }
        return (volume, mask);
    }

    /// <summary>Replays the reference's draws in the order the adapter asks for them.</summary>
    private sealed class RecordedDraws(float[] values) : IAdapterDraws
    {
        private int _next;

        public void Uniform(Span<float> destination, float bound) => Take(destination);

        public void Normal(Span<float> destination, float std) => Take(destination);

        private void Take(Span<float> destination)
        {
            Assert.True(_next + destination.Length <= values.Length, "the adapter asked for more draws than the reference recorded");
            values.AsSpan(_next, destination.Length).CopyTo(destination);
            _next += destination.Length;
        }
    }

    [Fact]
    public void Catalog_runs_a_clip_bundle_into_a_map_on_the_input_grid()
    {
        var bundleDir = Path.Combine(fixture.CaseDir("anomalyclip"), "bundle");
        var volume = new Volume<float>(40, 36, 5, Affine.Identity);
        var mask = volume.Like<byte>();
        for (var k = 1; k < 4; k++)
            for (var j = 6; j < 30; j++)
                for (var i = 8; i < 34; i++)
                {
                    volume.Data[volume.IndexOf(i, j, k)] = 100 + 20 * MathF.Sin(i * 0.4f) + 3 * j + k;
                    mask.Data[mask.IndexOf(i, j, k)] = 1;
                }
        var detector = DetectorCatalog.Create(bundleDir, normalsDirectory: null);
        try
        {
            var result = detector.Detect(volume, mask);
            Assert.True(result.Map.HasSameGrid(volume));
            Assert.All(result.Map.Data, v => Assert.InRange(v, 0f, 1f));
            for (var v = 0; v < mask.Data.Length; v++)
                if (mask.Data[v] == 0)
                    Assert.Equal(0f, result.Map.Data[v]);
            Assert.Contains(result.Map.Data, v => v > 0);
            Assert.InRange(result.ImageScore, 0, 1);
        }
        finally
        {
            (detector as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void A_manifest_with_the_wrong_map_order_is_refused()
    {
        var bundle = BundleLoader.Load(Path.Combine(fixture.CaseDir("vand"), "bundle"));
        bundle.Manifest.MapOrder = "softmax-then-upsample";
        var ex = Assert.Throws<BundleException>(() => ClipHeads.Create(bundle));
        Assert.Contains("method 'vand' runs mapOrder 'upsample-then-softmax', the manifest says 'softmax-then-upsample'", ex.Message);
    }

    [Fact]
    public void A_few_shot_bundle_with_the_zero_shot_image_score_is_refused()
    {
        var bundle = BundleLoader.Load(Path.Combine(fixture.CaseDir("winclip-fewshot"), "bundle"));
        bundle.Manifest.ImageScore = "global-softmax";
        var ex = Assert.Throws<BundleException>(() => ClipHeads.Create(bundle));
        Assert.EndsWith(": method 'winclip' with a memoryBank (few-shot) implements imageScore 'winclip-few-shot', not 'global-softmax'", ex.Message);
    }

    [Fact]
    public void A_few_shot_image_score_without_a_memory_bank_is_refused()
    {
        var bundle = BundleLoader.Load(Path.Combine(fixture.CaseDir("vand"), "bundle"));
        bundle.Manifest.ImageScore = "vand-few-shot";
        var ex = Assert.Throws<BundleException>(() => ClipHeads.Create(bundle));
        Assert.EndsWith(": method 'vand' implements imageScore global-softmax, not 'vand-few-shot' ('vand-few-shot' needs a memoryBank)", ex.Message);
    }

    [Fact]
    public void A_memory_bank_for_a_method_without_a_few_shot_mode_is_refused()
    {
        var loaded = BundleLoader.Load(Path.Combine(fixture.CaseDir("anomalyclip"), "bundle"));
        var bundle = new DetectorBundle
        {
            Directory = loaded.Directory, Manifest = loaded.Manifest, Method = loaded.Method, ResizeMode = loaded.ResizeMode,
            EncoderPath = loaded.EncoderPath, Layers = loaded.Layers, TextFeatures = loaded.TextFeatures,
            TextFeaturesShape = loaded.TextFeaturesShape, MemoryBank = new float[loaded.Layers.Sum(l => l.Dim!.Value)],
        };
        var ex = Assert.Throws<BundleException>(() => ClipHeads.Create(bundle));
        Assert.EndsWith(": method 'anomalyclip' has no few-shot mode, but the manifest has a memoryBank", ex.Message);
    }

    [Fact]
    public void Catalog_runs_a_few_shot_winclip_bundle()
    {
        var bundleDir = Path.Combine(fixture.CaseDir("winclip-fewshot"), "bundle");
        var volume = new Volume<float>(30, 28, 3, Affine.Identity);
        var mask = volume.Like<byte>();
        for (var k = 0; k < 3; k++)
            for (var j = 4; j < 24; j++)
                for (var i = 5; i < 25; i++)
                {
                    volume.Data[volume.IndexOf(i, j, k)] = 80 + 15 * MathF.Cos(j * 0.5f) + 2 * i + k;
                    mask.Data[mask.IndexOf(i, j, k)] = 1;
                }
        var detector = DetectorCatalog.Create(bundleDir, normalsDirectory: null);
        try
        {
            Assert.IsType<WinClipHead>(((ClipDetector)detector).Head);
            var result = detector.Detect(volume, mask);
            Assert.All(result.Map.Data, v => Assert.InRange(v, 0f, 1f));
            Assert.Contains(result.Map.Data, v => v > 0);
            Assert.InRange(result.ImageScore, 0, 1);
        }
        finally
        {
            (detector as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Window_outputs_that_do_not_match_the_manifest_are_refused_at_the_first_batch()
    {
        // 6x6 patch grid: scale 2 at stride 2 still reaches the edge, so the loader accepts it, but the encoder
        // yields the 25 stride-1 windows, not the 9 the manifest now describes.
        using var copy = new TempDir();
        var source = Path.Combine(fixture.CaseDir("winclip"), "bundle");
        foreach (var f in Directory.EnumerateFiles(source))
            File.Copy(f, Path.Combine(copy.Path, Path.GetFileName(f)));
        var manifest = JsonNode.Parse(File.ReadAllText(copy.File("manifest.json")))!;
        manifest["windows"]![0]!["stride"] = 2;
        File.WriteAllText(copy.File("manifest.json"), manifest.ToJsonString());
        using var detector = new ClipDetector(BundleLoader.Load(copy.Path), new EngineOptions { PreferCuda = false, MaxBatch = 1, IntraOpThreads = 1 });
        var volume = new Volume<float>(8, 8, 1, Affine.Identity);
        Array.Fill(volume.Data, 1f);
        volume.Data[10] = 3;
        var mask = volume.Like<byte>();
        Array.Fill(mask.Data, (byte)1);
        var ex = Assert.Throws<BundleException>(() => detector.Detect(volume, mask));
        Assert.EndsWith(": encoder output 'windows_2' is [25, 32] per slice, the manifest says [9, 32] (3x3 windows of 2x2 patches at stride 2, embedDim)", ex.Message);
    }

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
