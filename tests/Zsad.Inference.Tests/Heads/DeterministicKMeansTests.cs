using Zsad.Inference.Heads;

namespace Zsad.Inference.Tests.Heads;

public sealed class DeterministicKMeansTests
{
    [Fact]
    public void Separated_groups_end_in_their_own_clusters()
    {
        // Rows 0 and 1 start the two clusters although both lie in the left group: Lloyd's iterations must move one.
        double[] points = [0, 0, 0.1, 0, 10, 10, 0, 0.1, 10.1, 10, 10, 10.1];
        var labels = DeterministicKMeans.Cluster(points, dim: 2, k: 2, out var clusters);
        Assert.Equal(2, clusters);
        Assert.Equal(labels[0], labels[1]);
        Assert.Equal(labels[0], labels[3]);
        Assert.Equal(labels[2], labels[4]);
        Assert.Equal(labels[2], labels[5]);
        Assert.NotEqual(labels[0], labels[2]);
    }

    [Fact]
    public void Start_takes_the_first_distinct_rows_so_duplicates_give_fewer_clusters()
    {
        double[] points = [1, 1, 1, 1, 2, 2, 2, 2];
        var labels = DeterministicKMeans.Cluster(points, dim: 2, k: 3, out var clusters);
        Assert.Equal(2, clusters);
        Assert.Equal([0, 0, 1, 1], labels);
    }

    [Fact]
    public void No_rows_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => DeterministicKMeans.Cluster([], dim: 2, k: 3, out _));
        Assert.Contains("needs at least one row", ex.Message);
    }
}
