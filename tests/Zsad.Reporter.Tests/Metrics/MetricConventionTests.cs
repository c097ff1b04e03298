using Zsad.Imaging.Filters;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Tests.Metrics;

/// <summary>The documented conventions for degenerate cases, and the tie and connectivity rules.</summary>
public class MetricConventionTests
{
    [Fact]
    public void Dice_IsOneWhenTruthAndPredictionAreBothEmpty()
        => Assert.Equal(1.0, Confusion.Count(new bool[8], new bool[8]).Dice);

    [Fact]
    public void Dice_IsZeroWhenOnlyOneSideIsEmpty()
    {
        bool[] some = [true, false, false, false];
        Assert.Equal(0.0, Confusion.Count(some, new bool[4]).Dice);
        Assert.Equal(0.0, Confusion.Count(new bool[4], some).Dice);
    }

    [Fact]
    public void UndefinedRatios_AreNaN_NotZero()
    {
        var emptyTruth = Confusion.Count([true, false], [false, false]);
        Assert.True(double.IsNaN(emptyTruth.Sensitivity));
        Assert.Equal(0.0, emptyTruth.Ppv);
        var emptyPrediction = Confusion.Count([false, false], [true, false]);
        Assert.True(double.IsNaN(emptyPrediction.Ppv));
        Assert.Equal(0.0, emptyPrediction.Sensitivity);
        Assert.True(double.IsNaN(Confusion.Count([true], [true]).Specificity));
    }

    [Fact]
    public void MeanStd_LeavesOutNaN_AndUsesPopulationStd()
    {
        var m = MeanStd.Of([1.0, double.NaN, 3.0]);
        Assert.Equal(2.0, m.Mean);
        Assert.Equal(1.0, m.Std);
        Assert.Equal(2, m.Count);
        Assert.Equal(0, MeanStd.Of([double.NaN]).Count);
    }

    [Fact]
    public void Auroc_CountsTiesAsHalf()
    {
        var scores = new VoxelScores();
        scores.Add([0.5f, 0.5f], [true, false]);
        Assert.Equal(0.5, scores.Auroc());
    }

    [Fact]
    public void Auroc_IsNaNWithOneClass_AndNaNScoresAreRefused()
    {
        var scores = new VoxelScores();
        scores.Add([0.1f, 0.9f], [false, false]);
        Assert.True(double.IsNaN(scores.Auroc()));
        Assert.Equal(0.0, scores.F1Max().F1);
        var ex = Assert.Throws<ArgumentException>(() => scores.Add([float.NaN], [true]));
        Assert.Contains("NaN", ex.Message);
    }

    [Fact]
    public void F1Max_ReturnsTheThresholdThatReachesIt()
    {
        var scores = new VoxelScores();
        scores.Add([0.9f, 0.8f, 0.3f, 0.2f], [true, true, false, false]);
        var best = scores.F1Max();
        Assert.Equal(1.0, best.F1);
        Assert.Equal(0.8f, best.Threshold);
    }

    [Fact]
    public void Spearman_GivesTiesTheirAverageRank()
    {
        Assert.Equal([1.0, 2.5, 2.5, 4.0], Spearman.AverageRanks([1.0, 5.0, 5.0, 7.0]));
        Assert.Equal(1.0, Spearman.Correlation([1, 2, 3], [10, 20, 300]), 12);
        Assert.True(double.IsNaN(Spearman.Correlation([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void LesionDetection_DiagonalNeighboursAreOneLesionIn26ButTwoIn6()
    {
        var shape = new VolumeShape(3, 3, 2);
        var truth = new bool[shape.VoxelCount];
        truth[0] = true;                  // (0,0,0)
        truth[(1 * 3 + 1) * 3 + 1] = true; // (1,1,1): touches (0,0,0) at a corner only
        var prediction = new bool[shape.VoxelCount];
        prediction[0] = true;
        prediction[8] = true;             // (2,2,0): touches no truth voxel
        var full = LesionDetection.Evaluate(prediction, truth, shape, Connectivity.Full26);
        Assert.Equal(new LesionDetection(1, 1, 1), full); // one lesion, found through (0,0,0); (2,2,0) is a false positive
        var faces = LesionDetection.Evaluate(prediction, truth, shape, Connectivity.Faces6);
        Assert.Equal(2, faces.Lesions);
        Assert.Equal(1, faces.Detected);
        Assert.Equal(0.5, faces.Sensitivity);
        Assert.Equal(1, faces.FalsePositives);
    }

    [Fact]
    public void DistanceProfile_UsesLesionSlicesOnly_FromInferiorToSuperior()
    {
        var shape = new VolumeShape(2, 1, 5);
        var truth = new bool[10];
        truth[0] = true;   // z = 0: most inferior, distance -1
        truth[8] = true;   // z = 4: most superior, distance 1
        var prediction = (bool[])truth.Clone();
        prediction[8] = false;
        var slices = SliceDice.PerSlice(prediction, truth, shape);
        Assert.Equal([-1.0, -0.5, 0, 0.5, 1.0], slices.Select(s => s.NormalizedDistance));
        var profile = DistanceProfile.Compute(slices, bins: 2);
        Assert.Equal(new DistanceBin(-1, 0, 1.0, 1), profile[0]);
        Assert.Equal(new DistanceBin(0, 1, 0.0, 1), profile[1]);
    }

    [Fact]
    public void SliceDistance_FollowsTheBrainMaskExtent()
    {
        var shape = new VolumeShape(1, 1, 5);
        bool[] brain = [false, true, true, true, false];
        var slices = SliceDice.PerSlice(new bool[5], new bool[5], shape, brain);
        Assert.Equal([-2.0, -1, 0, 1, 2], slices.Select(s => s.NormalizedDistance));
    }

    [Fact]
    public void WrongVolumeSize_IsRefusedWithTheShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MetricsEvaluator(0.5f).Add("s", new float[5], new bool[5], new VolumeShape(2, 2, 2)));
        Assert.Contains("needs 8", ex.Message);
    }
}
