using Zsad.Imaging;

namespace Zsad.Inference.Detection;

/// <summary>The last step every detector shares: clamp to [0, 1], zero outside the brain, image score.</summary>
public static class VolumeMaps
{
    /// <summary>Image score = the 99.99th percentile of the brain's map values: the maximum, less sensitive to a
    /// single interpolation spike.</summary>
    public static AnomalyResult Finish(Volume<float> map, Volume<byte> mask)
    {
        var data = map.Data;
        var brain = new List<float>();
        for (var v = 0; v < data.Length; v++)
        {
            if (mask.Data[v] == 0 || float.IsNaN(data[v]))
            {
                data[v] = 0;
                continue;
            }
            data[v] = Math.Clamp(data[v], 0, 1);
            brain.Add(data[v]);
        }
        if (brain.Count == 0)
            return new AnomalyResult(map, 0);
        var sorted = brain.ToArray();
        Array.Sort(sorted);
        var score = sorted[(int)Math.Floor(0.9999 * (sorted.Length - 1))];
        return new AnomalyResult(map, score);
    }
}
