namespace Zsad.Training.Data;

/// <summary>Train/validation split by subject, never by slice: neighbouring slices of one brain are near copies,
/// so a slice split would validate on the training subjects.</summary>
public sealed record SubjectSplit(IReadOnlyList<string> Train, IReadOnlyList<string> Validation)
{
    /// <summary>Shuffles the ids with System.Random(seed) (Fisher-Yates) and puts round(fraction * n), at least one
    /// and at most n - 1, into validation; both lists come back sorted.</summary>
    public static SubjectSplit Create(IReadOnlyList<string> subjects, double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new TrainingException($"--val-fraction {validationFraction}: must be between 0 and 1 (exclusive)");
        if (subjects.Count < 2)
            throw new TrainingException($"{subjects.Count} subject(s): a split by subject needs at least 2");
        if (subjects.Distinct(StringComparer.Ordinal).Count() != subjects.Count)
            throw new TrainingException("subject ids are not unique");
        var order = subjects.Order(StringComparer.Ordinal).ToArray();
        new Random(seed).Shuffle(order);
        var validation = Math.Clamp((int)Math.Round(validationFraction * order.Length), 1, order.Length - 1);
        return new SubjectSplit(
            order.Skip(validation).Order(StringComparer.Ordinal).ToArray(),
            order.Take(validation).Order(StringComparer.Ordinal).ToArray());
    }
}
