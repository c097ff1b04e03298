using System.Globalization;

namespace Zsad.Training.Cli;

/// <summary>`zsad train --bundle IN --data DIR --out OUT [--from-scratch] [--epochs N] [--lr X] [--batch B]
/// [--val-fraction F] [--seed S] [--augment K] [--patience P] [--setup NAME]`.</summary>
public static class TrainCommand
{
    public const string Usage = "zsad train --bundle IN_BUNDLE --data DIR --out OUT_BUNDLE [--from-scratch] [--epochs N] [--lr X] [--batch B] [--val-fraction F] [--seed S] [--augment K] [--patience P] [--setup brats|finetune|pmc|custom]";

    /// <returns>0 on success, 2 on a usage error, 1 when training fails; errors are one line on stderr.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var fromScratch = false;
            for (var i = 0; i < args.Count; i++)
            {
                var arg = args[i];
                if (arg == "--from-scratch")
                    fromScratch = true;
                else if (arg is "--bundle" or "--data" or "--out" or "--epochs" or "--lr" or "--batch" or "--val-fraction" or "--seed" or "--augment" or "--patience" or "--setup")
                    values[arg[2..]] = i + 1 < args.Count ? args[++i] : throw new TrainingException($"{arg} needs a value\n{Usage}");
                else
                    throw new TrainingException($"unknown argument '{arg}'\n{Usage}");
            }
            string Required(string key) => values.TryGetValue(key, out var v) ? v : throw new TrainingException($"--{key} is required\n{Usage}");
            var defaults = new TrainingOptions();
            var options = new TrainingOptions
            {
                FromScratch = fromScratch,
                Epochs = Number(values, "epochs", defaults.Epochs),
                LearningRate = Real(values, "lr", defaults.LearningRate),
                BatchSize = Number(values, "batch", defaults.BatchSize),
                ValidationFraction = Real(values, "val-fraction", defaults.ValidationFraction),
                Seed = Number(values, "seed", defaults.Seed),
                Patience = Number(values, "patience", defaults.Patience),
                Augment = Number(values, "augment", defaults.Augment),
                Setup = values.GetValueOrDefault("setup"),
            };
            var (bundle, data, outDir) = (Required("bundle"), Required("data"), Required("out"));
            new AdapterTrainer(options, output).Run(bundle, data, outDir);
            return 0;
        }
        catch (TrainingException ex)
        {
            error.WriteLine($"zsad train: {ex.Message}");
            return ex.Message.Contains(Usage, StringComparison.Ordinal) ? 2 : 1;
        }
        catch (Zsad.Inference.Bundles.BundleException ex)
        {
            error.WriteLine($"zsad train: {ex.Message}");
            return 1;
        }
    }

    private static int Number(Dictionary<string, string> values, string key, int fallback)
        => !values.TryGetValue(key, out var v) ? fallback
            : int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
            : throw new TrainingException($"--{key} '{v}' is not an integer\n{Usage}");

    private static double Real(Dictionary<string, string> values, string key, double fallback)
        => !values.TryGetValue(key, out var v) ? fallback
            : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n
            : throw new TrainingException($"--{key} '{v}' is not a number\n{Usage}");
}
