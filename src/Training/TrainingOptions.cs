namespace Zsad.Training;

/// <summary>Settings of one `zsad train` run. Defaults are VAND's: Adam lr 1e-3, batch 8.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 15;
    public double LearningRate { get; init; } = 1e-3;
    public int BatchSize { get; init; } = 8;
    public double ValidationFraction { get; init; } = 0.3;
    public int Seed { get; init; } = 1;

    /// <summary>Fresh adapters (Brats / PMC setups) instead of continuing the bundle's own (Finetune).</summary>
    public bool FromScratch { get; init; }

    /// <summary>Augmented views per training slice (flip, rotation, intensity jitter), extracted once with the
    /// features; 0 = none.</summary>
    public int Augment { get; init; }

    /// <summary>Epochs without a better validation Dice before stopping.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Setup name written as the bundle's `weights`; null derives it (see <see cref="AdapterTrainer"/>).</summary>
    public string? Setup { get; init; }

    public void Validate()
    {
        if (Epochs < 1)
            throw new TrainingException($"--epochs {Epochs}: must be at least 1");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new TrainingException($"--lr {LearningRate}: must be a positive number");
        if (BatchSize < 1)
            throw new TrainingException($"--batch {BatchSize}: must be at least 1");
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
            throw new TrainingException($"--val-fraction {ValidationFraction}: must be between 0 and 1 (exclusive)");
        if (Augment < 0)
            throw new TrainingException($"--augment {Augment}: must be 0 or more");
        if (Patience < 1)
            throw new TrainingException($"--patience {Patience}: must be at least 1");
    }
}
