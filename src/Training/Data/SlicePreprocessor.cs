using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Bundles;

namespace Zsad.Training.Data;

/// <summary>One axial slice to encoder input exactly as <see cref="Zsad.Inference.Heads.ClipDetector"/> prepares it
/// at inference: standardised over its brain pixels, brain min-max scaled to [0, 1] (background 0), resized to
/// S x S with the manifest's mode, grey copied to 3 channels with the manifest's mean/std. The target mask is resized
/// like VAND's dataset does (bilinear, then &gt; 0.5).</summary>
public sealed class SlicePreprocessor(DetectorBundle bundle)
{
    private readonly ManifestInput _input = bundle.Manifest.Input!;
    private readonly float[] _mean = bundle.Manifest.Input!.Mean!.Select(v => (float)v).ToArray();
    private readonly float[] _std = bundle.Manifest.Input!.Std!.Select(v => (float)v).ToArray();

    public int Size => _input.Size!.Value;

    /// <param name="pixels">The slice (w x h); overwritten.</param>
    /// <param name="chw">[3, S, S] encoder input.</param>
    public void Image(Span<float> pixels, ReadOnlySpan<byte> brain, int width, int height, Span<float> chw)
        => Channels.GreyToChannels(Square(pixels, brain, width, height), chw, _mean, _std);

    /// <summary>The slice standardised, in [0, 1] and resized to S x S: the image before channel normalisation, where
    /// augmentation applies.</summary>
    public float[] Square(Span<float> pixels, ReadOnlySpan<byte> brain, int width, int height)
    {
        SliceStandardization.StandardizeSlice(pixels, brain);
        SliceStandardization.ToUnitRange(pixels, brain);
        return Resize2D.Resize(pixels, width, height, Size, Size, bundle.ResizeMode, _input.AlignCorners ?? false);
    }

    public void Channels3(ReadOnlySpan<float> square, Span<float> chw) => Channels.GreyToChannels(square, chw, _mean, _std);

    /// <summary>S x S target, 1 where the (resized) label is above 0.5.</summary>
    public float[] Target(ReadOnlySpan<float> label, int width, int height)
    {
        var target = Resize2D.Resize(label, width, height, Size, Size, ResizeMode.Bilinear, alignCorners: false);
        for (var p = 0; p < target.Length; p++)
            target[p] = target[p] > 0.5f ? 1 : 0;
        return target;
    }
}
