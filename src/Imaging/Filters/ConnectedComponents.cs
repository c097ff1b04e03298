namespace Zsad.Imaging.Filters;

/// <summary>3D connected components of binary masks stored x fastest (index = i + sizeX * (j + sizeY * k)), with an
/// explicit stack so that a brain-sized component cannot overflow the call stack.</summary>
public static class ConnectedComponents
{
    /// <summary>Labels non-zero voxels 1..N; <paramref name="sizes"/>[l] is the voxel count of component l (index 0 unused).</summary>
    public static int[] Label(ReadOnlySpan<byte> mask, int sizeX, int sizeY, int sizeZ, Connectivity connectivity, out int[] sizes)
    {
        if ((long)sizeX * sizeY * sizeZ != mask.Length)
            throw new ArgumentException($"mask holds {mask.Length} voxels; {sizeX}x{sizeY}x{sizeZ} needs {(long)sizeX * sizeY * sizeZ}");
        var offsets = Neighbours(connectivity);
        var labels = new int[mask.Length];
        var sizeList = new List<int> { 0 };
        var stack = new Stack<int>();
        var sliceSize = sizeX * sizeY;
        for (var seed = 0; seed < mask.Length; seed++)
        {
            if (mask[seed] == 0 || labels[seed] != 0)
                continue;
            var label = sizeList.Count;
            var count = 0;
            labels[seed] = label;
            stack.Push(seed);
            while (stack.Count > 0)
            {
                var v = stack.Pop();
                count++;
                int i = v % sizeX, j = v / sizeX % sizeY, k = v / sliceSize;
                foreach (var (di, dj, dk) in offsets)
                {
                    int ni = i + di, nj = j + dj, nk = k + dk;
                    if ((uint)ni >= (uint)sizeX || (uint)nj >= (uint)sizeY || (uint)nk >= (uint)sizeZ)
                        continue;
                    var n = ni + sizeX * (nj + sizeY * nk);
                    if (mask[n] != 0 && labels[n] == 0)
                    {
                        labels[n] = label;
                        stack.Push(n);
                    }
                }
            }
            sizeList.Add(count);
        }
        sizes = sizeList.ToArray();
        return labels;
    }

    public static (int[] Labels, int[] Sizes) Label(Volume<byte> mask, Connectivity connectivity = Connectivity.Faces6)
    {
        var labels = Label(mask.Data, mask.SizeX, mask.SizeY, mask.SizeZ, connectivity, out var sizes);
        return (labels, sizes);
    }

    /// <summary>The largest 6-connected component only (ties: the one found first); an empty mask stays empty.</summary>
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
        int nx = mask.SizeX, ny = mask.SizeY, nz = mask.SizeZ;
        var background = new byte[mask.VoxelCount];
        for (var v = 0; v < background.Length; v++)
            background[v] = (byte)(mask.Data[v] == 0 ? 1 : 0);
        var labels = Label(background, nx, ny, nz, Connectivity.Faces6, out var sizes);
        var outside = new bool[sizes.Length];
        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                    if (i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1)
                        outside[labels[i + nx * (j + ny * k)]] = true;
        var result = mask.Like<byte>();
        for (var v = 0; v < labels.Length; v++)
            result.Data[v] = (byte)(mask.Data[v] != 0 || !outside[labels[v]] ? 1 : 0);
        return result;
    }

    private static (int, int, int)[] Neighbours(Connectivity connectivity)
    {
        var list = new List<(int, int, int)>();
        for (var dk = -1; dk <= 1; dk++)
            for (var dj = -1; dj <= 1; dj++)
                for (var di = -1; di <= 1; di++)
                {
                    var steps = Math.Abs(di) + Math.Abs(dj) + Math.Abs(dk);
                    if (steps == 0 || (connectivity == Connectivity.Faces6 && steps > 1))
                        continue;
                    list.Add((di, dj, dk));
                }
        return list.ToArray();
    }
}
