using Zsad.Imaging;
using Zsad.Imaging.Preprocessing;

namespace Zsad.Inference.Detection;

/// <summary>Where a volume's brain lies in its axial slices: one square around the in-plane brain box (the same
/// for every slice of the volume) and the range of slices that hold brain. Cropping every volume to its own brain
/// box, and numbering slices from the brain's bottom to its top, puts different heads on a common frame, which is
/// what lets a memory bank compare a patch with patches at the same place in normal brains.</summary>
public sealed class AxialSquareCrop
{
    private AxialSquareCrop(SliceStack<float> slices, SliceStack<byte> mask, int x0, int y0, int side, int first, int last)
    {
        Slices = slices;
        MaskSlices = mask;
        X0 = x0;
        Y0 = y0;
        Side = side;
        FirstSlice = first;
        LastSlice = last;
    }

    public SliceStack<float> Slices { get; }
    public SliceStack<byte> MaskSlices { get; }
    public int X0 { get; }
    public int Y0 { get; }
    public int Side { get; }
    public int FirstSlice { get; }
    public int LastSlice { get; }

    public bool IsEmpty => LastSlice < FirstSlice;

    /// <param name="minimumBrainFraction">Slices whose brain area is below this share of the largest slice's are
    /// left out: the top and bottom caps hold too little brain for a texture model.</param>
    public static AxialSquareCrop Create(Volume<float> volume, Volume<byte> mask, int margin = 4, double minimumBrainFraction = 0.05)
    {
        if (!volume.HasSameGrid(mask))
            throw new ArgumentException("the mask is not on the volume's grid", nameof(mask));
        var slices = volume.Slices(AnatomicalPlane.Axial);
        var masks = mask.Slices(AnatomicalPlane.Axial);
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        var areas = new int[masks.Count];
        var pixels = new byte[masks.PixelCount];
        for (var s = 0; s < masks.Count; s++)
        {
            masks.CopySlice(s, pixels);
            for (var y = 0; y < masks.Height; y++)
            {
                for (var x = 0; x < masks.Width; x++)
                {
                    if (pixels[y * masks.Width + x] == 0)
                        continue;
                    areas[s]++;
                    minX = Math.Min(minX, x);
                    maxX = Math.Max(maxX, x);
                    minY = Math.Min(minY, y);
                    maxY = Math.Max(maxY, y);
                }
            }
        }
        var largest = areas.Length == 0 ? 0 : areas.Max();
        if (largest == 0)
            return new AxialSquareCrop(slices, masks, 0, 0, Math.Max(masks.Width, masks.Height), 0, -1);
        var first = Array.FindIndex(areas, a => a >= minimumBrainFraction * largest);
        var last = Array.FindLastIndex(areas, a => a >= minimumBrainFraction * largest);
        var side = Math.Max(maxX - minX + 1, maxY - minY + 1) + 2 * margin;
        var x0 = (minX + maxX + 1 - side) / 2;
        var y0 = (minY + maxY + 1 - side) / 2;
        return new AxialSquareCrop(slices, masks, x0, y0, side, first, last);
    }

    /// <summary>0 at the lowest brain slice, 1 at the highest.</summary>
    public double NormalizedHeight(int slice) => LastSlice > FirstSlice ? (slice - FirstSlice) / (double)(LastSlice - FirstSlice) : 0.5;

    /// <summary>Slice <paramref name="slice"/> standardised over its brain pixels (z of the brain's mean and std, 0
    /// outside the brain), and its brain mask: what both the encoder input and the intensity tail start from.</summary>
    public void CopyStandardized(int slice, Span<float> pixels, Span<byte> brain)
    {
        Slices.CopySlice(slice, pixels);
        MaskSlices.CopySlice(slice, brain);
        SliceStandardization.StandardizeSlice(pixels, brain, background: 0);
    }

    /// <summary>The square of <paramref name="slice"/> (zero outside the image) resized to size x size.</summary>
    public void Extract(ReadOnlySpan<float> slice, Span<float> destination, int size, ResizeMode mode = ResizeMode.Bilinear)
    {
        var square = new float[Side * Side];
        Transfer(slice, square, intoSquare: true);
        Resize2D.Resize(square, Side, Side, destination, size, size, mode, alignCorners: false);
    }

    /// <summary>Resizes a size x size map back to the square and writes the part inside the image into a slice.</summary>
    public void PasteBack(ReadOnlySpan<float> map, int size, Span<float> slice)
    {
        var square = Resize2D.Resize(map, size, size, Side, Side, ResizeMode.Bilinear, alignCorners: false);
        Transfer(square, slice, intoSquare: false);
    }

    /// <summary>Copies between the square and the slice where the square lies inside the image.</summary>
    private void Transfer(ReadOnlySpan<float> source, Span<float> target, bool intoSquare)
    {
        var w = Slices.Width;
        var h = Slices.Height;
        for (var y = 0; y < Side; y++)
        {
            var sy = Y0 + y;
            if ((uint)sy >= (uint)h)
                continue;
            for (var x = 0; x < Side; x++)
            {
                var sx = X0 + x;
                if ((uint)sx >= (uint)w)
                    continue;
                if (intoSquare)
                    target[y * Side + x] = source[sy * w + sx];
                else
                    target[sy * w + sx] = source[y * Side + x];
            }
        }
    }
}
