namespace Zsad.Imaging.Preprocessing;

/// <summary>Grey slices to the 3-channel planar (CHW) layout of an image encoder's [N, 3, H, W] input.</summary>
public static class Channels
{
    /// <summary>OpenAI CLIP's per-channel normalisation (DETECTORS.md).</summary>
    public static ReadOnlySpan<float> ClipMean => [0.48145466f, 0.4578275f, 0.40821073f];
    public static ReadOnlySpan<float> ClipStd => [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>Copies the grey plane into each of the channels of <paramref name="chw"/>.</summary>
    public static void GreyToChannels(ReadOnlySpan<float> grey, Span<float> chw, int channels = 3)
    {
        if (chw.Length != grey.Length * channels)
            throw new ArgumentException($"{channels} channels of {grey.Length} pixels need {grey.Length * channels} values, not {chw.Length}", nameof(chw));
        for (var c = 0; c < channels; c++)
            grey.CopyTo(chw.Slice(c * grey.Length, grey.Length));
    }

    /// <summary>Copies the grey plane into each channel c as (grey - mean[c]) / std[c].</summary>
    public static void GreyToChannels(ReadOnlySpan<float> grey, Span<float> chw, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length != std.Length || mean.Length == 0)
            throw new ArgumentException("mean and std need one value per channel");
        var channels = mean.Length;
        GreyToChannels(grey, chw, channels);
        for (var c = 0; c < channels; c++)
        {
            var plane = chw.Slice(c * grey.Length, grey.Length);
            System.Numerics.Tensors.TensorPrimitives.Subtract(plane, mean[c], plane);
            System.Numerics.Tensors.TensorPrimitives.Multiply(plane, 1 / std[c], plane);
        }
    }

    public static float[] GreyToChannels(ReadOnlySpan<float> grey, int channels = 3)
    {
        var chw = new float[grey.Length * channels];
        GreyToChannels(grey, chw, channels);
        return chw;
    }
}
