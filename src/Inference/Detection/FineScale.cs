namespace Zsad.Inference.Detection;

/// <summary>Mean and standard deviation of the held-out fine (stage-1) nearest-neighbour distances of normal brain
/// cells, so a fine distance becomes a standard score that adds to the coarse one on the same footing.</summary>
public sealed record FineScale(float Mean, float Std)
{
    /// <summary>Fine distances of one slice's grid, in place, to standard scores.</summary>
    public void Normalize(float[] distances)
    {
        for (var p = 0; p < distances.Length; p++)
            distances[p] = (distances[p] - Mean) / Std;
    }

    /// <summary>Sums of held-out fine distances per normal volume, so the scale can leave one volume out.</summary>
    public sealed class Accumulator
    {
        private readonly Dictionary<int, (long Count, double Sum, double Squares)> _sums = new();

        public void Add(int volume, ReadOnlySpan<float> distances, bool[] brain)
        {
            var (count, sum, squares) = _sums.GetValueOrDefault(volume);
            for (var p = 0; p < distances.Length; p++)
            {
                if (!brain[p])
                    continue;
                count++;
                sum += distances[p];
                squares += (double)distances[p] * distances[p];
            }
            _sums[volume] = (count, sum, squares);
        }

        /// <summary>The scale of all volumes but <paramref name="excludeVolume"/> (-1: all).</summary>
        public FineScale Build(int excludeVolume = -1)
        {
            long count = 0;
            double sum = 0, squares = 0;
            foreach (var (volume, s) in _sums)
            {
                if (volume == excludeVolume)
                    continue;
                count += s.Count;
                sum += s.Sum;
                squares += s.Squares;
            }
            if (count < 2)
                throw new InvalidOperationException("the fine scale needs held-out distances of at least two normal brain cells");
            var mean = sum / count;
            var std = Math.Sqrt(Math.Max(0, squares / count - mean * mean));
            if (!(std > 0))
                throw new InvalidOperationException("the held-out fine distances of the normals do not vary: no scale can be set (are the normal volumes copies of each other?)");
            return new FineScale((float)mean, (float)std);
        }
    }
}
