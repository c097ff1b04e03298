namespace Zsad.Imaging.Filters;

/// <summary>3D connected components of binary masks (6-connectivity: voxels sharing a face), with an explicit stack
/// so that a brain-sized component cannot overflow the call stack.</summary>
public static class ConnectedComponents
{
    /// <summary>Labels foreground (non-zero) voxels 1..N; returns the labels and the size of each component (index 0 unused).</summary>
    public static (int[] Labels, int[] Sizes) Label(Volume<byte> mask)
    {
        var labels = new int[mask.VoxelCount];
        var sizes = new List<int> { 0 };
        var stack = new Stack<int>();
        var data = mask.Data;
        for (var seed = 0; seed < data.Length; seed++)
        {
            if (data[seed] == 0 || labels[seed] != 0)
                continue;
            var label = sizes.Count;
            sizes.Add(Flood(mask, seed, label, labels, v => data[v] != 0 && labels[v] == 0, stack));
        }
        return (labels, sizes.ToArray());
    }

    /// <summary>The largest component only (ties: the one found first); an empty mask stays empty.</summary>
    public static Volume<byte> Largest(Volume<byte> mask)
    {
        var (labels, sizes) = Label(mask);
        var result = mask.Like<byte>();
        if (sizes.Length < 2)
            return result;
        var best = 1;
        for (var l = 2; l < sizes.Length; l++)
            if (sizes[l] > sizes[best])
                best = l;
        for (var v = 0; v < labels.Length; v++)
            result.Data[v] = (byte)(labels[v] == best ? 1 : 0);
        return result;
    }

    /// <summary>Sets background voxels that cannot reach the volume border through background (enclosed cavities) to 1.</summary>
    public static Volume<byte> FillHoles(Volume<byte> mask)
    {
        var data = mask.Data;
        var outside = new int[data.Length];
        var stack = new Stack<int>();
        int nx = mask.SizeX, ny = mask.SizeY, nz = mask.SizeZ;
        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                {
                    if (i != 0 && j != 0 && k != 0 && i != nx - 1 && j != ny - 1 && k != nz - 1)
                        continue;
                    var v = i + nx * (j + ny * k);
                    if (data[v] == 0 && outside[v] == 0)
                        Flood(mask, v, 1, outside, w => data[w] == 0 && outside[w] == 0, stack);
                }
        var result = mask.Like<byte>();
        for (var v = 0; v < data.Length; v++)
            result.Data[v] = (byte)(data[v] != 0 || outside[v] == 0 ? 1 : 0);
        return result;
    }

    private static int Flood(Volume<byte> mask, int seed, int label, int[] labels, Func<int, bool> joins, Stack<int> stack)
    {
        int nx = mask.SizeX, ny = mask.SizeY, nz = mask.SizeZ;
        var nxy = nx * ny;
        var count = 0;
        labels[seed] = label;
        stack.Push(seed);
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            count++;
            var i = v % nx;
            var j = v / nx % ny;
            var k = v / nxy;
            void Visit(int w)
            {
                if (joins(w))
                {
                    labels[w] = label;
                    stack.Push(w);
                }
            }
            if (i > 0) Visit(v - 1);
            if (i < nx - 1) Visit(v + 1);
            if (j > 0) Visit(v - nx);
            if (j < ny - 1) Visit(v + nx);
            if (k > 0) Visit(v - nxy);
            if (k < nz - 1) Visit(v + nxy);
        }
        return count;
    }
}
