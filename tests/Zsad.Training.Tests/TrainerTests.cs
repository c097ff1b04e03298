using System.Text.Json.Nodes;
using Zsad.Imaging.Nifti;
using Zsad.Inference.Bundles;
using Zsad.Inference.Heads;

namespace Zsad.Training.Tests;

/// <summary>`zsad train` end to end on the tiny random-weight VAND bundle and synthetic lesions in ch2bet.</summary>
public sealed class TrainerTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    private static readonly TrainingOptions Quick = new() { Epochs = 2, BatchSize = 8, FromScratch = true, Seed = 3, ValidationFraction = 0.34 };

    private AdapterTrainer.Result Train(TrainingOptions options, string outDir, StringWriter? log = null)
        => new AdapterTrainer(options, log ?? new StringWriter()).Run(fixture.Bundle, fixture.Data, outDir);

    [Fact]
    public void Training_from_scratch_raises_validation_dice_well_above_the_untrained_head()
    {
        var log = new StringWriter();
        var result = Train(Quick with { Epochs = 15, LearningRate = 3e-3, ValidationFraction = 0.25 }, fixture.NewFolder("learn"), log);
        // The numbers of docs/training.md come from this log.
        Console.WriteLine(log.ToString());
        // A random-weight encoder caps what a linear head can reach; the claim is learning, not detection quality:
        // at least double the untrained pixel F1-max and 0.08 above it (docs/training.md has the measured numbers).
        Assert.True(result.BestDice > 2 * result.UntrainedDice && result.BestDice > result.UntrainedDice + 0.08,
            $"validation Dice {result.BestDice:F4}, untrained {result.UntrainedDice:F4}\n{log}");
    }

    [Fact]
    public void The_trained_bundle_loads_and_runs_in_the_inference_detector_unchanged()
    {
        var outDir = fixture.NewFolder("bundle");
        var result = Train(Quick, outDir);
        var bundle = BundleLoader.Load(outDir);
        Assert.Equal("brats", bundle.Manifest.Weights);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")))!;
        var training = manifest["training"]!;
        Assert.Equal(Zsad.Training.Data.BratsDataset.Open(fixture.Data).ContentHash(), (string)training["dataSha256"]!);
        Assert.Equal("brats", (string)training["setup"]!);
        Assert.Equal(2, (int)training["epochs"]!);
        Assert.Equal(result.BestDice, (double)training["validation"]!["dice"]!, 1e-12);
        foreach (var layer in bundle.Layers)
            Assert.Equal(result.Bundle.Adapters[$"{layer.Name}.weight"], bundle.Adapters[$"{layer.Name}.weight"]);
        using var detector = new ClipDetector(bundle);
        var volume = NiftiReader.Read(Directory.GetFiles(fixture.Data, "*-t2w.nii.gz", SearchOption.AllDirectories)[0]).ToSingle();
        var map = detector.Detect(volume).Map;
        Assert.Contains(map.Data, v => v > 0);
    }

    [Fact]
    public void Augmentation_adds_views_of_training_slices_only()
    {
        var plain = Train(Quick with { Epochs = 1 }, fixture.NewFolder("plain"));
        var augmentedDir = fixture.NewFolder("augmented");
        Train(Quick with { Epochs = 1, Augment = 2 }, augmentedDir);
        var plainSlices = JsonNode.Parse(File.ReadAllText(Path.Combine(plain.Bundle.Directory, "manifest.json")))!["training"]!["slices"]!;
        var augmentedSlices = JsonNode.Parse(File.ReadAllText(Path.Combine(augmentedDir, "manifest.json")))!["training"]!["slices"]!;
        Assert.Equal(3 * (int)plainSlices["train"]!, (int)augmentedSlices["train"]!);
        Assert.Equal((int)plainSlices["validation"]!, (int)augmentedSlices["validation"]!);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        var a = Train(Quick, fixture.NewFolder("seed-a"));
        var b = Train(Quick, fixture.NewFolder("seed-b"));
        var c = Train(Quick with { Seed = 4 }, fixture.NewFolder("seed-c"));
        foreach (var name in a.Bundle.Adapters.Keys)
            Assert.Equal(a.Bundle.Adapters[name], b.Bundle.Adapters[name]);
        Assert.NotEqual(a.Bundle.Adapters["layer1.weight"], c.Bundle.Adapters["layer1.weight"]);
    }

    [Fact]
    public void Resuming_from_the_checkpoint_gives_the_same_weights_as_an_unbroken_run()
    {
        var unbroken = Train(Quick with { Epochs = 3, Patience = 10 }, fixture.NewFolder("unbroken"));
        var resumed = fixture.NewFolder("resumed");
        Train(Quick with { Epochs = 1, Patience = 10 }, resumed);
        // The first run's bundle is the only thing removed: its work folder (cache, checkpoint) stays.
        Directory.Delete(resumed, recursive: true);
        var log = new StringWriter();
        var second = Train(Quick with { Epochs = 3, Patience = 10 }, resumed, log);
        Assert.Contains("resuming after epoch 1", log.ToString());
        Assert.Equal(unbroken.History.Select(h => h.ValidationDice), second.History.Select(h => h.ValidationDice));
        foreach (var name in unbroken.Bundle.Adapters.Keys)
            Assert.Equal(unbroken.Bundle.Adapters[name], second.Bundle.Adapters[name]);
    }

    [Fact]
    public void A_checkpoint_of_another_run_is_refused()
    {
        var outDir = fixture.NewFolder("other");
        Train(Quick with { Epochs = 1 }, outDir);
        Directory.Delete(outDir, recursive: true);
        var ex = Assert.Throws<TrainingException>(() => Train(Quick with { Epochs = 2, LearningRate = 5e-3 }, outDir));
        Assert.Contains("belongs to another run", ex.Message);
    }

    [Fact]
    public void An_existing_output_folder_is_refused()
    {
        var outDir = fixture.NewFolder("exists");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "keep.txt"), "x");
        var ex = Assert.Throws<TrainingException>(() => Train(Quick with { Epochs = 1 }, outDir));
        Assert.Contains("exists and is not empty", ex.Message);
    }

    [Fact]
    public void Training_a_prompt_method_without_a_text_encoder_is_refused_with_the_reason()
    {
        TorchReference.Run("parity.py", Path.GetDirectoryName(fixture.NewFolder("x"))!, "--methods", "anomalyclip");
        var bundle = Path.Combine(Path.GetDirectoryName(fixture.NewFolder("x"))!, "anomalyclip", "bundle");
        var ex = Assert.Throws<TrainingException>(() => new AdapterTrainer(Quick, new StringWriter()).Run(bundle, fixture.Data, fixture.NewFolder("ac")));
        Assert.Contains("text-encoder graph", ex.Message);
    }
}
