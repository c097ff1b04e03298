using Zsad.Training.Data;

namespace Zsad.Training.Tests;

public sealed class DataTests
{
    private static readonly string[] Ids = Enumerable.Range(0, 20).Select(i => $"S{i:D2}").ToArray();

    [Fact]
    public void Split_puts_every_subject_in_exactly_one_side()
    {
        var split = SubjectSplit.Create(Ids, 0.3, seed: 9);
        Assert.Equal(6, split.Validation.Count);
        Assert.Empty(split.Train.Intersect(split.Validation));
        Assert.Equal(Ids, split.Train.Concat(split.Validation).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Split_is_deterministic_per_seed_and_independent_of_input_order()
    {
        var a = SubjectSplit.Create(Ids, 0.3, seed: 9);
        var b = SubjectSplit.Create(Ids.Reverse().ToArray(), 0.3, seed: 9);
        var c = SubjectSplit.Create(Ids, 0.3, seed: 10);
        Assert.Equal(a.Validation, b.Validation);
        Assert.NotEqual(a.Validation, c.Validation);
    }

    [Fact]
    public void Split_keeps_at_least_one_subject_on_each_side()
    {
        var split = SubjectSplit.Create(["a", "b"], 0.01, seed: 1);
        Assert.Single(split.Train);
        Assert.Single(split.Validation);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Split_refuses_a_fraction_outside_zero_to_one(double fraction)
    {
        var ex = Assert.Throws<TrainingException>(() => SubjectSplit.Create(Ids, fraction, 1));
        Assert.Contains("--val-fraction", ex.Message);
    }

    [Fact]
    public void Dataset_refuses_a_subject_without_its_segmentation()
    {
        using var dir = new TempDir();
        foreach (var id in new[] { "A", "B" })
        {
            Directory.CreateDirectory(dir.File(id));
            File.WriteAllText(dir.File($"{id}/{id}-t2w.nii.gz"), "");
        }
        File.WriteAllText(dir.File("A/A-seg.nii.gz"), "");
        var ex = Assert.Throws<TrainingException>(() => BratsDataset.Open(dir.Path));
        Assert.Contains("subject B has B-t2w.nii.gz but no B-seg.nii.gz", ex.Message);
    }

    [Fact]
    public void Dataset_refuses_a_folder_with_fewer_than_two_subjects()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("A"));
        File.WriteAllText(dir.File("A/A-t2w.nii.gz"), "");
        File.WriteAllText(dir.File("A/A-seg.nii.gz"), "");
        var ex = Assert.Throws<TrainingException>(() => BratsDataset.Open(dir.Path));
        Assert.Contains("1 subject(s)", ex.Message);
    }

    [Fact]
    public void Dataset_refuses_a_missing_folder()
    {
        var ex = Assert.Throws<TrainingException>(() => BratsDataset.Open("/nonexistent/zsad-train"));
        Assert.Contains("no such folder", ex.Message);
    }

    [Fact]
    public void Dataset_hash_changes_when_a_file_changes()
    {
        using var dir = new TempDir();
        foreach (var id in new[] { "A", "B" })
        {
            Directory.CreateDirectory(dir.File(id));
            File.WriteAllText(dir.File($"{id}/{id}-t2w.nii.gz"), id);
            File.WriteAllText(dir.File($"{id}/{id}-seg.nii.gz"), id);
        }
        var before = BratsDataset.Open(dir.Path).ContentHash();
        File.WriteAllText(dir.File("B/B-seg.nii.gz"), "changed");
        Assert.NotEqual(before, BratsDataset.Open(dir.Path).ContentHash());
    }
}
