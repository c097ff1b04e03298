using System.Text.Json.Nodes;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Bundles;
using Zsad.Inference.Cli;
using Zsad.Inference.Detection;
using Zsad.Inference.Detection.Views;
using Zsad.Inference.Heads;
using Zsad.Inference.Memory;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Memory;

/// <summary>`zsad models build-memory` on a CLIP bundle (the tiny VAND export), its refusals, and how the
/// result shows in `zsad models list` and reaches `zsad infer`.</summary>
public sealed class ClipMemoryBankTests(FewShotParityFixture fixture) : IClassFixture<FewShotParityFixture>
{
    private static readonly Lazy<IReadOnlyList<Volume<float>>> Phantoms = new(() => DetectorCatalog.PhantomNormals(2));

    private static string WriteNormals(TempDir dir, IReadOnlyList<Volume<float>>? volumes = null)
    {
        var normals = dir.Sub("normals");
        var list = volumes ?? Phantoms.Value;
        for (var v = 0; v < list.Count; v++)
            NiftiWriter.Write(list[v], Path.Combine(normals, $"normal{v}.nii.gz"));
        return normals;
    }

    [Fact]
    public void BuildMemory_Vand_FewShotMapOfANormal_IsTheZeroShotMapOverThree()
    {
        // VAND few-shot adds, per layer, the min over the memory of 1 - cos; for a slice that is in the memory that
        // is 0, so the few-shot map is the zero-shot sum over the wider range (3L instead of L): a third of it.
        using var dir = new TempDir();
        var normals = WriteNormals(dir);
        var output = MemoryBankBuilder.Build(fixture.Bundle(), normals, dir.File("vand-memory"));
        using var zeroShot = new ClipDetector(BundleLoader.Load(fixture.Bundle()));
        using var fewShot = new ClipDetector(BundleLoader.Load(output));
        Assert.True(((VandHead)fewShot.Head).FewShot);
        var normal = NiftiReader.Read(Path.Combine(normals, "normal1.nii.gz")).ToSingle();
        var mask = BrainMask.Compute(normal);

        var zero = zeroShot.Detect(normal, mask).Map.Data;
        var few = fewShot.Detect(normal, mask).Map.Data;

        Assert.Contains(zero, v => v > 0.01f);
        for (var v = 0; v < zero.Length; v++)
            Assert.True(Math.Abs(zero[v] / 3 - few[v]) <= 1e-4, $"voxel {v}: zero-shot {zero[v]} / 3 vs few-shot {few[v]}");
    }

    [Theory]
    [InlineData("mvfa")]
    [InlineData("winclip")]
    public void BuildMemory_FewShotMapOfANormal_IsHalfTheZeroShotMap(string method)
    {
        // MVFA few-shot maps 0.5 Z/L + 0.5 F/2L, WinCLIP (Z + F)/2 with F its nearest-neighbour distances (WinCLIP:
        // per window scale and per patch); for a slice that is in the memory every distance is 0, so the service's
        // [0, 1] map is half the zero-shot one. Holds only if every bank (WinCLIP: the window banks too) has exactly
        // the rows the encoder yields for those slices.
        using var dir = new TempDir();
        var normals = WriteNormals(dir);
        var output = MemoryBankBuilder.Build(fixture.Bundle(method), normals, dir.File($"{method}-memory"));
        var bundle = BundleLoader.Load(output);
        Assert.NotNull(bundle.MemoryBank);
        Assert.All(bundle.Windows, w => Assert.NotNull(w.MemoryBank));
        Assert.Equal(method == "winclip" ? 2 : 0, bundle.Windows.Count);
        using var zeroShot = new ClipDetector(BundleLoader.Load(fixture.Bundle(method)));
        using var fewShot = new ClipDetector(bundle);
        var normal = NiftiReader.Read(Path.Combine(normals, "normal1.nii.gz")).ToSingle();
        var mask = BrainMask.Compute(normal);

        var zero = zeroShot.Detect(normal, mask).Map.Data;
        var few = fewShot.Detect(normal, mask).Map.Data;

        Assert.Contains(zero, v => v > 0.01f);
        for (var v = 0; v < zero.Length; v++)
            Assert.True(Math.Abs(zero[v] / 2 - few[v]) <= 1e-4, $"{method} voxel {v}: zero-shot {zero[v]} / 2 vs few-shot {few[v]}");
    }

    [Fact]
    public void BuildMemory_Vand_WritesBankProvenanceAndHashes_KeepsUnknownManifestKeys()
    {
        using var dir = new TempDir();
        var normals = WriteNormals(dir);
        var source = dir.Sub("source");
        foreach (var f in Directory.EnumerateFiles(fixture.Bundle()))
            File.Copy(f, Path.Combine(source, Path.GetFileName(f)));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(source, BundleLoader.ManifestFileName)))!.AsObject();
        manifest["exporterNote"] = "kept";
        File.WriteAllText(Path.Combine(source, BundleLoader.ManifestFileName), manifest.ToJsonString());

        var bundle = BundleLoader.Load(MemoryBankBuilder.Build(source, normals, dir.File("out"), sliceStep: 3));

        var m = bundle.Manifest;
        Assert.Equal("out", m.Name);
        Assert.Equal("vand-few-shot", m.ImageScore);
        var layers = bundle.Layers;
        var patches = layers[0].Grid!.Value * layers[0].Grid!.Value;
        var brainSlices = Phantoms.Value.Sum(v => (BrainSliceCount(v) + 2) / 3);
        Assert.Equal([brainSlices * patches, layers.Sum(l => l.Dim!.Value)], m.MemoryBank!.Shape);
        Assert.Equal(2, m.MemorySource!.Volumes);
        Assert.Equal(brainSlices, m.MemorySource.Slices);
        Assert.Equal(3, m.MemorySource.SliceStep);
        Assert.Equal(["normal0.nii.gz", "normal1.nii.gz"], m.MemorySource.Inputs);
        Assert.Matches("^[0-9a-f]{64}$", m.MemorySource.Sha256);
        Assert.Equal(Path.GetFullPath(source), m.MemorySource.SourceBundle);
        Assert.Equal(BundleLoader.Sha256(Path.Combine(bundle.Directory, "memory_bank.f32")), m.Files!["memory_bank.f32"]);
        Assert.Equal("kept", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(bundle.Directory, BundleLoader.ManifestFileName)))!["exporterNote"]);
    }

    [Fact]
    public void BuildMemory_InputsSha256_ChangesWhenANormalChanges()
    {
        using var dir = new TempDir();
        var normals = WriteNormals(dir);
        var before = NormalReferences.Load(normals).InputsSha256();
        var changed = Phantoms.Value[1].Clone();
        changed.Data[changed.Data.Length / 2] += 1;
        NiftiWriter.Write(changed, Path.Combine(normals, "normal1.nii.gz"));
        Assert.NotEqual(before, NormalReferences.Load(normals).InputsSha256());
    }

    [Fact]
    public void BuildMemory_NoNormals_IsRefused()
    {
        using var dir = new TempDir();
        var empty = dir.Sub("empty");
        var ex = Assert.Throws<ArgumentException>(() => MemoryBankBuilder.Build(fixture.Bundle(), empty, dir.File("out")));
        Assert.Contains("no normal volumes in", ex.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void BuildMemory_NormalWithoutBrain_IsRefusedNamingTheVolume()
    {
        using var dir = new TempDir();
        var normals = WriteNormals(dir, [Phantoms.Value[0], Phantoms.Value[0].Like<float>()]);
        var ex = Assert.Throws<ArgumentException>(() => MemoryBankBuilder.Build(fixture.Bundle(), normals, dir.File("out")));
        Assert.Contains("normal volume 'normal1.nii.gz'", ex.Message);
        Assert.Contains("has no brain", ex.Message);
    }

    [Fact]
    public void BuildMemory_MethodWithoutMemory_IsRefused()
    {
        using var dir = new TempDir();
        using var bundle = new BundleFixture();
        bundle.Manifest["method"] = "anomalyclip";
        bundle.Manifest.Remove("adapters");
        bundle.Save();
        var ex = Assert.Throws<ArgumentException>(() => MemoryBankBuilder.Build(bundle.Dir, WriteNormals(dir), dir.File("out")));
        Assert.Contains("(method anomalyclip) takes no memory bank (methods that do: vand, mvfa, winclip, and the built-in resnet18-memory)", ex.Message);
    }

    [Fact]
    public void BuildMemory_BankOverTheLimit_IsRefusedBeforeEncoding()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<ArgumentException>(() => MemoryBankBuilder.Build(fixture.Bundle(), WriteNormals(dir), dir.File("out"), maxBankBytes: 1 << 10));
        Assert.Contains("over the limit of 0 MiB", ex.Message);
        Assert.False(Directory.Exists(dir.File("out")));
        Assert.False(Directory.Exists(dir.File("out.building")));
    }

    [Theory]
    [InlineData("no-such-detector", "unknown detector 'no-such-detector'")]
    [InlineData("intensity-baseline", "unknown detector 'intensity-baseline'")]
    public void BuildMemory_UnknownDetector_IsRefused(string detector, string message)
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<ArgumentException>(() => MemoryBankBuilder.Build(detector, dir.Path, dir.File("out")));
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void BuildMemory_OutputFolderNotEmpty_IsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Sub("out"), "keep.txt"), "x");
        var ex = Assert.Throws<IOException>(() => MemoryBankBuilder.Build(fixture.Bundle(), WriteNormals(dir), dir.File("out")));
        Assert.Contains("exists and is not empty", ex.Message);
    }

    [Fact]
    public void ModelsList_ShowsTheMemoryBundleWithItsProvenance()
    {
        using var dir = new TempDir();
        var installed = dir.Sub("bundles");
        MemoryBankBuilder.Build(fixture.Bundle(), WriteNormals(dir), Path.Combine(installed, "vand-brain"), sliceStep: 4);
        var text = new StringWriter();

        ModelsCommandHandler.List(text, installed);

        var lines = text.ToString().Split('\n');
        var row = Array.FindIndex(lines, l => l.TrimStart().StartsWith("vand-brain", StringComparison.Ordinal));
        Assert.True(row >= 0, text.ToString());
        Assert.Contains("valid  vand", lines[row]);
        Assert.Contains("ready", lines[row]);
        Assert.Matches(@"memory: 2 normal volumes \(normal0.nii.gz, normal1.nii.gz\), \d+ slices, step 4, inputs sha256 [0-9a-f]{64}, built ", lines[row + 1]);
    }

    [Fact]
    public void Catalog_ManifestViews_ReachTheDetector_AndTheCommandLineOverridesThem()
    {
        using var dir = new TempDir();
        var bundle = dir.Sub("vand-views");
        foreach (var f in Directory.EnumerateFiles(fixture.Bundle()))
            File.Copy(f, Path.Combine(bundle, Path.GetFileName(f)));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, BundleLoader.ManifestFileName)))!.AsObject();
        manifest["views"] = new JsonArray("axial", "sagittal");
        manifest["throughPlaneSigma"] = 3.5;
        File.WriteAllText(Path.Combine(bundle, BundleLoader.ManifestFileName), manifest.ToJsonString());

        using (var fromManifest = Assert.IsType<MultiViewDetector>(DetectorCatalog.Create(bundle, null, out _)))
        {
            Assert.Equal([AnatomicalPlane.Axial, AnatomicalPlane.Sagittal], fromManifest.Options.Views);
            Assert.Equal(3.5, fromManifest.Options.ThroughPlaneSigmaMm);
        }
        using (var overridden = Assert.IsType<MultiViewDetector>(DetectorCatalog.Create(bundle, null, out _, views: "coronal", throughPlaneSigma: "1")))
        {
            Assert.Equal([AnatomicalPlane.Coronal], overridden.Options.Views);
            Assert.Equal(1, overridden.Options.ThroughPlaneSigmaMm);
        }
        using (var plain = DetectorCatalog.Create(bundle, null, out _, views: "axial", throughPlaneSigma: "0") as IDisposable)
            Assert.IsType<ClipDetector>(plain);

        manifest["views"] = new JsonArray("axial", "oblique");
        File.WriteAllText(Path.Combine(bundle, BundleLoader.ManifestFileName), manifest.ToJsonString());
        Assert.Contains("manifest 'views': 'oblique' is not axial, coronal or sagittal", Assert.Throws<BundleException>(() => BundleLoader.Load(bundle)).Message);
    }

    [Fact]
    public void Infer_ViewsAndSigmaFlags_ReachTheDetector()
    {
        using var dir = new TempDir();
        var normals = WriteNormals(dir);
        var input = Path.Combine(normals, "normal0.nii.gz");
        var text = new StringWriter();

        InferCommandHandler.Run(IntensityBaselineDetector.DetectorName, input, dir.File("map.nii.gz"), normals, text,
            views: "axial,coronal", throughPlaneSigma: "3");

        Assert.Contains("slicing: views axial+coronal, through-plane sigma 3 mm", text.ToString());
        Assert.True(NiftiReader.Read(dir.File("map.nii.gz")).Volume.HasSameGrid(Phantoms.Value[0]));
    }

    private static int BrainSliceCount(Volume<float> volume)
    {
        var mask = BrainMask.Compute(volume).Slices(AnatomicalPlane.Axial);
        return Enumerable.Range(0, mask.Count).Count(z => mask.GetSlice(z).AsSpan().ContainsAnyExcept((byte)0));
    }
}
