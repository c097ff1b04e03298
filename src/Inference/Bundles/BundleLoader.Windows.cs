namespace Zsad.Inference.Bundles;

/// <summary>The `windows` section of WinCLIP bundles (docs/bundle-format.md).</summary>
public static partial class BundleLoader
{
    private static IEnumerable<string> WindowMemoryPaths(DetectorManifest m)
        => (m.Windows ?? []).Select(w => w.MemoryBank?.Path).OfType<string>();

    private static List<BundleWindow> ReadWindows(string dir, DetectorManifest m, DetectorMethod method, List<ManifestLayer> layers, int embedDim, HashSet<string> encoderOutputs, bool hasPatchMemory)
    {
        var windows = m.Windows ?? [];
        if (method != DetectorMethod.WinClip)
            return windows.Count == 0 ? [] : throw Fail(dir, $"windows is only read by method 'winclip', not '{m.Method}'");
        if (windows.Count == 0)
            throw Fail(dir, "method 'winclip' needs windows (one entry per window scale)");
        // The windows tile the encoder's patch grid, and the few-shot patch term lives on the same grid.
        var grid = layers[0].Grid!.Value;
        if (layers.Any(l => l.Grid != grid))
            throw Fail(dir, $"method 'winclip' needs every layer on one patch grid, the layers have grids [{string.Join(", ", layers.Select(l => l.Grid))}]");
        var result = new List<BundleWindow>();
        for (var i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            if (w.Scale is not > 0 || w.Stride is not > 0 || string.IsNullOrWhiteSpace(w.Output))
                throw Fail(dir, $"windows[{i}] needs a positive scale, a positive stride and an output");
            int scale = w.Scale.Value, stride = w.Stride.Value;
            if (scale > grid)
                throw Fail(dir, $"windows[{i}] scale {scale} is larger than the {grid}x{grid} patch grid");
            // A patch no window covers would have no score (0/0 in the harmonic aggregation).
            if ((grid - scale) % stride != 0)
                throw Fail(dir, $"windows[{i}] (scale {scale}, stride {stride}) does not reach the edge of the {grid}x{grid} patch grid: grid - scale must be a multiple of the stride");
            if (!encoderOutputs.Contains(w.Output))
                throw Fail(dir, $"encoder outputs [{string.Join(", ", encoderOutputs.Order(StringComparer.Ordinal))}] do not include '{w.Output}' of window scale {scale}");
            if (result.Any(r => r.Scale == scale))
                throw Fail(dir, $"windows repeats scale {scale}");
            if ((w.MemoryBank is not null) != hasPatchMemory)
                throw Fail(dir, $"windows[{i}] (scale {scale}) {(hasPatchMemory ? "has no" : "has a")} memoryBank but the bundle {(hasPatchMemory ? "has" : "has no")} patch memoryBank: few-shot WinCLIP needs both, zero-shot neither");
            float[]? bank = null;
            if (w.MemoryBank is { } b)
            {
                if (b.Shape is not [_, var d] || d != embedDim)
                    throw Fail(dir, $"windows[{i}] memoryBank shape [{string.Join(", ", b.Shape ?? [])}] must be [M, {embedDim}] (window embeddings, embedDim wide)");
                bank = ReadTensor(dir, b, $"windows[{i}] memoryBank");
            }
            result.Add(new BundleWindow(scale, stride, w.Output, grid, bank));
        }
        return result;
    }
}
