using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Zsad.Inference.Bundles;
using Zsad.Inference.Engine;
using Zsad.Training.Data;
using Zsad.Training.Gradients;

namespace Zsad.Training;

/// <summary>`zsad train`: fits VAND's per-layer linear adapters on the frozen encoder's raw tokens of a BraTS-style
/// folder (the authors' loss, Adam betas (0.5, 0.999)), validates on held-out subjects after every epoch, keeps the
/// best epoch, stops early, checkpoints every epoch, and writes a normal bundle. Work files (feature cache,
/// checkpoint) live in OUT.work/ beside the output; rerunning the same command resumes from the checkpoint.</summary>
public sealed class AdapterTrainer(TrainingOptions options, TextWriter log, EngineOptions? engineOptions = null)
{
    public sealed record Result(DetectorBundle Bundle, IReadOnlyList<EpochResult> History, int BestEpoch, double BestDice, double UntrainedDice, bool StoppedEarly);

    public Result Run(string bundleDir, string dataDir, string outDir)
    {
        options.Validate();
        var bundle = BundleLoader.Load(bundleDir);
        RefuseUntrainable(bundle);
        var setup = options.Setup ?? DeriveSetup(bundle);
        if (!BundleVocabulary.WeightsSetups.Contains(setup))
            throw new TrainingException($"--setup {setup}: must be one of {string.Join(", ", BundleVocabulary.WeightsSetups)}");
        var data = BratsDataset.Open(dataDir);
        var split = SubjectSplit.Create(data.Subjects.Select(s => s.Id).ToArray(), options.ValidationFraction, options.Seed);
        var dataHash = data.ContentHash();
        var work = outDir.TrimEnd(Path.DirectorySeparatorChar) + ".work";
        var encoderHash = bundle.Manifest.Files![bundle.Manifest.Encoder!];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cacheKey = $"{dataHash} {encoderHash} {bundle.Manifest.Input!.Size}";
        var plan = options.Augment > 0 ? new FeatureCache.AugmentationPlan(options.Augment, options.Seed, split.Train.ToHashSet(StringComparer.Ordinal)) : null;
        if (plan is not null)
            cacheKey += $" augment {plan.Views} seed {plan.Seed} train {string.Join(",", split.Train)}";
        var cache = FeatureCache.OpenOrBuild(Path.Combine(work, "features"), cacheKey, data, bundle, engineOptions, m => log.WriteLine(m), plan);

        log.WriteLine($"features of {cache.Slices.Count} slices ready in {clock.Elapsed.TotalSeconds:F2} s");
        var layers = bundle.Layers.Select(l => (l.Grid!.Value, l.Dim!.Value)).ToArray();
        var embed = bundle.Manifest.EmbedDim!.Value;
        var (weights, biases) = options.FromScratch ? AdapterHead.Initialise(layers, embed, options.Seed) : BundleAdapters(bundle, embed);
        var head = new AdapterHead(layers, embed, cache.Size, (float)bundle.Manifest.Temperature!.Value, bundle.TextFeatures!, weights, biases);
        var parameters = head.Parameters;
        var sizes = parameters.Select(p => p.Length).ToArray();
        var adam = new Adam(sizes, options.LearningRate);
        var train = SlicesOf(cache, split.Train, augmented: true);
        var validation = SlicesOf(cache, split.Validation, augmented: false);
        if (train.Length == 0 || validation.Length == 0)
            throw new TrainingException($"training data {dataDir}: no brain slices in the {(train.Length == 0 ? "training" : "validation")} subjects");
        if (!validation.Any(i => cache.ReadTarget(i).Contains(1f)))
            throw new TrainingException($"training data {dataDir}: the validation subjects ({string.Join(", ", split.Validation)}) have no lesion voxels, so no validation Dice exists; add lesion cases or change --seed / --val-fraction");

        var runKey = RunKey(cache.Key, bundle, options);
        var checkpointDir = Path.Combine(work, "checkpoint");
        var history = new List<EpochResult>();
        var best = parameters.Select(p => (float[])p.Clone()).ToArray();
        var (bestEpoch, bestDice, firstEpoch) = (0, double.NegativeInfinity, 1);
        var (untrainedDice, _) = Validate(head, cache, validation);
        if (Checkpoint.Load(checkpointDir, sizes) is { } checkpoint)
        {
            if (checkpoint.RunKey != runKey)
                throw new TrainingException($"{checkpointDir} belongs to another run (other data, bundle or options); delete {work} to start over");
            for (var i = 0; i < sizes.Length; i++)
            {
                checkpoint.Parameters[i].CopyTo(parameters[i], 0);
                checkpoint.Best[i].CopyTo(best[i], 0);
                checkpoint.FirstMoments[i].CopyTo(adam.FirstMoments[i], 0);
                checkpoint.SecondMoments[i].CopyTo(adam.SecondMoments[i], 0);
            }
            adam.Step = checkpoint.AdamStep;
            history.AddRange(checkpoint.History);
            (bestEpoch, bestDice, firstEpoch) = (checkpoint.BestEpoch, checkpoint.BestDice, checkpoint.Epoch + 1);
            log.WriteLine($"resuming after epoch {checkpoint.Epoch} (best validation Dice {bestDice:F4} at epoch {bestEpoch})");
        }
        log.WriteLine($"{split.Train.Count} training subjects ({train.Length} slices), {split.Validation.Count} validation subjects ({validation.Length} slices); untrained validation Dice {untrainedDice:F4}");

        var stoppedEarly = false;
        for (var epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            if (epoch - bestEpoch > options.Patience && bestEpoch > 0)
            {
                stoppedEarly = true;
                break;
            }
            clock.Restart();
            var trainLoss = TrainEpoch(head, adam, cache, train, epoch);
            var seconds = clock.Elapsed.TotalSeconds;
            var (dice, validationLoss) = Validate(head, cache, validation);
            var improved = dice > bestDice;
            if (improved)
            {
                (bestEpoch, bestDice) = (epoch, dice);
                for (var i = 0; i < sizes.Length; i++)
                    parameters[i].CopyTo(best[i], 0);
            }
            history.Add(new EpochResult(epoch, trainLoss, validationLoss, dice));
            log.WriteLine($"epoch {epoch}/{options.Epochs} train loss {trainLoss:F4} validation loss {validationLoss:F4} Dice {dice:F4}{(improved ? " (best)" : "")} ({seconds:F2} s training)");
            new Checkpoint
            {
                RunKey = runKey, Epoch = epoch, AdamStep = adam.Step, BestEpoch = bestEpoch, BestDice = bestDice, History = history,
                Parameters = parameters, Best = best, FirstMoments = adam.FirstMoments, SecondMoments = adam.SecondMoments,
            }.Save(checkpointDir);
        }
        stoppedEarly |= history.Count > 0 && history[^1].Epoch < options.Epochs;
        if (stoppedEarly)
            log.WriteLine($"stopped early: no better validation Dice for {options.Patience} epochs after epoch {bestEpoch}");

        for (var i = 0; i < sizes.Length; i++)
            best[i].CopyTo(parameters[i], 0);
        var record = new JsonObject
        {
            ["setup"] = setup,
            ["method"] = "vand-linear-adapters",
            ["fromScratch"] = options.FromScratch,
            ["initialisation"] = options.FromScratch ? $"torch.nn.Linear-style uniform(±1/sqrt(dim)) from System.Random({options.Seed})" : $"adapters of {bundle.Name}",
            ["sourceBundle"] = bundle.Name,
            ["dataSha256"] = dataHash,
            ["subjects"] = new JsonObject { ["train"] = split.Train.Count, ["validation"] = split.Validation.Count },
            ["slices"] = new JsonObject { ["train"] = train.Length, ["validation"] = validation.Length },
            ["seed"] = options.Seed,
            ["augmentation"] = options.Augment == 0 ? "none" : $"{options.Augment} view(s) per training slice: flip p 0.5, rotation ±{Augmentation.MaxRotationDegrees}°, gamma 0.85-1.15",
            ["optimizer"] = new JsonObject { ["name"] = "adam", ["lr"] = options.LearningRate, ["betas"] = new JsonArray(0.5, 0.999), ["batch"] = options.BatchSize },
            ["loss"] = "sum over layers of focal(gamma 2) + soft Dice on upsampled p_a (VAND loss.py)",
            ["epochs"] = history.Count == 0 ? 0 : history[^1].Epoch,
            ["bestEpoch"] = bestEpoch,
            ["validation"] = new JsonObject
            {
                ["dice"] = bestDice, ["untrainedDice"] = untrainedDice, ["metric"] = "pixel F1-max (best-threshold Dice) of the layer-mean p_a over all validation pixels",
                ["loss"] = history.FirstOrDefault(h => h.Epoch == bestEpoch)?.ValidationLoss,
            },
        };
        var written = TrainedBundleWriter.Write(bundle, outDir, setup, head, record);
        log.WriteLine($"wrote {outDir}: best validation Dice {bestDice:F4} at epoch {bestEpoch} (untrained {untrainedDice:F4})");
        return new Result(written, history, bestEpoch, bestDice, untrainedDice, stoppedEarly);
    }

    private double TrainEpoch(AdapterHead head, Adam adam, FeatureCache cache, int[] slices, int epoch)
    {
        // A fresh generator per epoch, seeded from (seed, epoch): a resumed run shuffles exactly as an unbroken one.
        var order = (int[])slices.Clone();
        new Random(HashSeed(options.Seed, epoch)).Shuffle(order);
        var batches = (order.Length + options.BatchSize - 1) / options.BatchSize;
        var gradients = head.Parameters.Select(p => new float[p.Length]).ToArray();
        double total = 0;
        for (var b = 0; b < batches; b++)
        {
            var items = order.Skip(b * options.BatchSize).Take(options.BatchSize).ToArray();
            foreach (var g in gradients)
                Array.Clear(g);
            var loss = head.Accumulate(items.Select(i => (IReadOnlyList<float[]>)cache.ReadTokens(i)).ToArray(), items.Select(cache.ReadTarget).ToArray(), gradients);
            adam.Update(head.Parameters, gradients);
            total += loss.Total;
            Progress(epoch, b + 1, batches, total / (b + 1));
        }
        return total / batches;
    }

    /// <summary>Validation over every pixel of the validation slices, pooled: the best Dice over thresholds of the
    /// layer-mean map (the seed's pixel F1-max; threshold-free, so an epoch is not judged by a map that is right but
    /// on another scale than 0.5), and the mean loss.</summary>
    private (double Dice, double Loss) Validate(AdapterHead head, FeatureCache cache, int[] slices)
    {
        // Bins on the logit of the map, not the map: a trained head pushes most pixels below 1e-3, where linear
        // bins would merge them and hide their ranking.
        const int bins = 4000;
        const double range = 20;
        var lesion = new long[bins + 1];
        var normal = new long[bins + 1];
        double loss = 0;
        for (var start = 0; start < slices.Length; start += options.BatchSize)
        {
            var items = slices.Skip(start).Take(options.BatchSize).ToArray();
            var targets = items.Select(cache.ReadTarget).ToArray();
            var maps = items.Select(_ => new float[cache.Size * cache.Size]).ToArray();
            loss += head.Accumulate(items.Select(i => (IReadOnlyList<float[]>)cache.ReadTokens(i)).ToArray(), targets, null, maps).Total * items.Length;
            for (var i = 0; i < items.Length; i++)
                for (var p = 0; p < maps[i].Length; p++)
                {
                    double v = System.Math.Clamp(maps[i][p], 1e-12f, 1 - 1e-7f);
                    var bin = (int)System.Math.Clamp((System.Math.Log(v / (1 - v)) + range) / (2 * range) * bins, 0, bins);
                    (targets[i][p] > 0.5f ? lesion : normal)[bin]++;
                }
        }
        return (BestDice(lesion, normal), loss / slices.Length);
    }

    /// <summary>max over thresholds t (bin edges) of 2 TP / (2 TP + FP + FN), positives = map &gt;= t.</summary>
    internal static double BestDice(long[] lesion, long[] normal)
    {
        var truth = lesion.Sum();
        if (truth == 0)
            return double.NaN;
        long tp = 0, fp = 0;
        double best = 0;
        for (var b = lesion.Length - 1; b >= 0; b--)
        {
            tp += lesion[b];
            fp += normal[b];
            best = System.Math.Max(best, 2.0 * tp / (tp + fp + truth));
        }
        return best;
    }

    private void Progress(int epoch, int batch, int batches, double loss)
    {
        if (batch != batches && batch % System.Math.Max(1, batches / 20) != 0)
            return;
        const int width = 20;
        var filled = width * batch / batches;
        log.Write($"\repoch {epoch}/{options.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] {batch}/{batches} loss {loss:F4}");
        if (batch == batches)
            log.WriteLine();
    }

    private static void RefuseUntrainable(DetectorBundle bundle)
    {
        switch (bundle.Method)
        {
            case DetectorMethod.Vand:
                return;
            case DetectorMethod.AnomalyClip or DetectorMethod.AdaClip:
                throw new TrainingException($"detector bundle {bundle.Directory}: method '{bundle.Manifest.Method}' trains text prompts, which needs the text encoder in the loop; this bundle carries no text-encoder graph (bundle schema 1 has none), so it cannot be trained here");
            default:
                throw new TrainingException($"detector bundle {bundle.Directory}: method '{bundle.Manifest.Method}' has no linear-adapter head on raw tokens; `zsad train` trains 'vand' bundles (any backbone that exposes raw tokens)");
        }
    }

    /// <summary>Finetune = continuing the authors' (industrial) adapters; from scratch = brats, or pmc on a
    /// PMC-CLIP backbone; anything else is custom. --setup overrides.</summary>
    private string DeriveSetup(DetectorBundle bundle)
    {
        if (options.FromScratch)
            return bundle.Manifest.Backbone?.StartsWith("PMC", StringComparison.OrdinalIgnoreCase) == true ? "pmc" : "brats";
        return bundle.Manifest.Weights == "industrial" ? "finetune" : "custom";
    }

    private static (float[][] Weights, float[][] Biases) BundleAdapters(DetectorBundle bundle, int embed)
    {
        var weights = bundle.Layers.Select(l => bundle.Adapters.TryGetValue($"{l.Name}.weight", out var w) ? (float[])w.Clone()
            : throw new TrainingException($"detector bundle {bundle.Directory}: adapter '{l.Name}.weight' is missing; use --from-scratch")).ToArray();
        // A bundle without biases continues with zero biases, which the trained bundle then carries.
        var biases = bundle.Layers.Select(l => bundle.Adapters.TryGetValue($"{l.Name}.bias", out var b) ? (float[])b.Clone() : new float[embed]).ToArray();
        return (weights, biases);
    }

    private static int[] SlicesOf(FeatureCache cache, IReadOnlyList<string> subjects, bool augmented)
    {
        var set = subjects.ToHashSet(StringComparer.Ordinal);
        return Enumerable.Range(0, cache.Slices.Count)
            .Where(i => set.Contains(cache.Slices[i].Subject) && (augmented || cache.Slices[i].View == 0)).ToArray();
    }

    private static string RunKey(string cacheKey, DetectorBundle bundle, TrainingOptions o)
    {
        // Epochs and patience are left out: resuming with a larger --epochs continues the same run.
        var adapters = string.Join(",", bundle.Manifest.Adapters?.Select(a => bundle.Manifest.Files![a.Path!]) ?? []);
        var text = $"{cacheKey}|{adapters}|{o.LearningRate:R}|{o.BatchSize}|{o.ValidationFraction:R}|{o.Seed}|{o.FromScratch}|{o.Augment}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static int HashSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch);
}
