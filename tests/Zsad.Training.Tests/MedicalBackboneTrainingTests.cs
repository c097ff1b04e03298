using Zsad.Inference.Bundles;
using Zsad.Inference.Heads;

namespace Zsad.Training.Tests;

/// <summary>The PMC setup's plumbing: `zsad train --from-scratch` on a PMC-CLIP bundle from export_medical.py
/// --untrained-adapters (four ResNet stages on grids 56/28/14/7, dims 32..256 at the stand-in's width 8). The checkpoint is
/// tools/export/medical_standin.py's random stand-in: this proves the trainer fits adapters on per-layer grids and
/// dims that differ, never what PMC-CLIP detects.</summary>
public sealed class MedicalBackboneTrainingTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    [Fact]
    public void From_scratch_training_fits_adapters_on_a_pmc_clip_bundle_with_per_stage_grids()
    {
        var standIn = fixture.NewFolder("medical");
        TorchReference.Run("medical_standin.py", standIn);
        var source = BundleLoader.Load(Path.Combine(standIn, "pmc-clip", "bundle-untrained"));
        Assert.EndsWith("-untrained", source.Name);
        Assert.Equal([56, 28, 14, 7], source.Layers.Select(l => l.Grid!.Value));

        var outDir = fixture.NewFolder("pmc-trained");
        var options = new TrainingOptions { Epochs = 1, BatchSize = 8, FromScratch = true, Seed = 3, ValidationFraction = 0.34 };
        new AdapterTrainer(options, new StringWriter()).Run(source.Directory, fixture.Data, outDir);

        var trained = BundleLoader.Load(outDir);
        Assert.Equal("pmc", trained.Manifest.Weights);
        foreach (var layer in trained.Layers)
        {
            Assert.Equal(source.Manifest.EmbedDim!.Value * layer.Dim!.Value, trained.Adapters[$"{layer.Name}.weight"].Length);
            Assert.NotEqual(source.Adapters[$"{layer.Name}.weight"], trained.Adapters[$"{layer.Name}.weight"]);
        }
        using var detector = new ClipDetector(trained);
        Assert.IsType<VandHead>(detector.Head);
    }
}
