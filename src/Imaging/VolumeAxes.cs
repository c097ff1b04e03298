namespace Zsad.Imaging;

/// <summary>Matches index axes to world axes for oblique volumes, where "the axial axis" is the index axis
/// closest to S rather than a fixed array position.</summary>
internal static class VolumeAxes
{
    /// <summary>For each index axis, the world axis (0 = L, 1 = P, 2 = S in LPS) it is closest to and the sign of
    /// that component. Greedy on the largest remaining |cosine|, so every world axis is used exactly once even when
    /// a direction sits at 45 degrees.</summary>
    public static (int[] WorldAxis, int[] Sign) NearestWorldAxes(Affine affine)
    {
        Span<double> cos = stackalloc double[9];
        for (var a = 0; a < 3; a++)
        {
            var d = affine.Column(a);
            var n = d.Length;
            for (var w = 0; w < 3; w++)
                cos[a * 3 + w] = n > 0 ? d[w] / n : 0;
        }
        var world = new[] { -1, -1, -1 };
        var sign = new int[3];
        var usedWorld = new bool[3];
        for (var round = 0; round < 3; round++)
        {
            int bestA = -1, bestW = -1;
            var best = -1.0;
            for (var a = 0; a < 3; a++)
            {
                if (world[a] >= 0)
                    continue;
                for (var w = 0; w < 3; w++)
                {
                    if (usedWorld[w])
                        continue;
                    var c = Math.Abs(cos[a * 3 + w]);
                    if (c > best)
                    {
                        best = c;
                        bestA = a;
                        bestW = w;
                    }
                }
            }
            world[bestA] = bestW;
            usedWorld[bestW] = true;
            sign[bestA] = cos[bestA * 3 + bestW] >= 0 ? 1 : -1;
        }
        return (world, sign);
    }
}
