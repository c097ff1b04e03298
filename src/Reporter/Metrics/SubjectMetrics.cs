namespace Zsad.Reporter.Metrics;

/// <summary>Everything measured on one subject (volume) at one threshold.</summary>
public sealed record SubjectMetrics(string SubjectId, Confusion Confusion, LesionDetection Lesions, IReadOnlyList<SliceDice> Slices)
{
    public double Dice => Confusion.Dice;
    public double Sensitivity => Confusion.Sensitivity;
    public double Specificity => Confusion.Specificity;
    public double Ppv => Confusion.Ppv;

    /// <summary>Truth voxels: the lesion size correlated with Dice.</summary>
    public long LesionVoxels => Confusion.TruthCount;
}
