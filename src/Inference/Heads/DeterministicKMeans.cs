namespace Zsad.Inference.Heads;

/// <summary>Lloyd's k-means with a deterministic start, for AdaCLIP's hybrid semantic fusion. The authors call
/// sklearn's KMeans (random k-means++ starts), which no other implementation reproduces bit for bit; this one is
/// written identically in tools/export/zsad_export/reference.py (kmeans_first_distinct) so the two agree exactly.
/// Start: the first k pairwise-distinct rows in the given order (the caller orders them by anomaly score). Then
/// assign every row to its nearest centre (squared Euclidean, ties to the lower index) and move each centre to the
/// mean of its rows (an empty cluster keeps its centre) until no assignment changes. float64 throughout.</summary>
internal static class DeterministicKMeans
{
    public const int MaxIterations = 300;

    /// <param name="points">[n, dim] row-major.</param>
    /// <param name="clusters">At most <paramref name="k"/>: fewer when the rows hold fewer distinct values.</param>
    /// <returns>The cluster of each row.</returns>
    public static int[] Cluster(ReadOnlySpan<double> points, int dim, int k, out int clusters)
    {
        var n = points.Length / dim;
        if (n == 0 || k < 1)
            throw new ArgumentException($"k-means needs at least one row and one cluster (rows {n}, k {k})");
        var centres = new List<double[]>(k);
        for (var r = 0; r < n && centres.Count < k; r++)
        {
            var row = points.Slice(r * dim, dim);
            var distinct = true;
            foreach (var c in centres)
                if (row.SequenceEqual(c))
                {
                    distinct = false;
                    break;
                }
            if (distinct)
                centres.Add(row.ToArray());
        }
        clusters = centres.Count;
        var labels = new int[n];
        var counts = new int[clusters];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var changed = iteration == 0;
            for (var r = 0; r < n; r++)
            {
                var row = points.Slice(r * dim, dim);
                int best = 0;
                var bestDistance = double.MaxValue;
                for (var j = 0; j < clusters; j++)
                {
                    var centre = centres[j];
                    double d = 0;
                    for (var i = 0; i < dim; i++)
                    {
                        var diff = row[i] - centre[i];
                        d += diff * diff;
                    }
                    if (d < bestDistance)
                    {
                        bestDistance = d;
                        best = j;
                    }
                }
                changed |= labels[r] != best;
                labels[r] = best;
            }
            if (!changed)
                break;
            Array.Clear(counts);
            for (var r = 0; r < n; r++)
                counts[labels[r]]++;
            for (var j = 0; j < clusters; j++)
                if (counts[j] > 0)
                    Array.Clear(centres[j]);
            for (var r = 0; r < n; r++)
            {
                var centre = centres[labels[r]];
                var row = points.Slice(r * dim, dim);
                for (var i = 0; i < dim; i++)
                    centre[i] += row[i];
            }
            for (var j = 0; j < clusters; j++)
                if (counts[j] > 0)
                    for (var i = 0; i < dim; i++)
                        centres[j][i] /= counts[j];
        }
        return labels;
    }
}
