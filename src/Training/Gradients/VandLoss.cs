namespace Zsad.Training.Gradients;

/// <summary>The VAND / APRIL-GAN loss on one layer's abnormal probability map p_a against the binary target g
/// (loss.py there): focal loss with gamma 2 on the two-class probabilities [1 - p_a, p_a], the one-hot target
/// clamped to [1e-5, 1 - 1e-5] and 1e-5 added to p_t, averaged over every pixel of the batch; plus the binary soft
/// Dice 1 - (2 sum(p g) + 1) / (sum(p) + sum(g) + 1) per image, averaged over the batch.</summary>
public static class VandLoss
{
    public const float Smooth = 1e-5f;

    /// <summary>Adds this image's focal and Dice terms to <paramref name="gradient"/> (dLoss/dp_a) and returns them.
    /// <paramref name="batchPixels"/> is B * S * S (the focal mean) and <paramref name="batch"/> is B (the Dice
    /// mean), so summing over the images of a batch gives the authors' batch loss.</summary>
    public static (double Focal, double Dice) Accumulate(ReadOnlySpan<float> probability, ReadOnlySpan<float> target,
        int batchPixels, int batch, Span<float> gradient)
    {
        if (probability.Length != target.Length || gradient.Length != probability.Length)
            throw new ArgumentException($"probability ({probability.Length}), target ({target.Length}) and gradient ({gradient.Length}) differ in length");
        double focal = 0, intersection = 0, predicted = 0, truth = 0;
        var focalScale = 1.0 / batchPixels;
        for (var i = 0; i < probability.Length; i++)
        {
            double p = probability[i];
            var positive = target[i] > 0.5f;
            double onAbnormal = positive ? 1 - Smooth : Smooth, onNormal = positive ? Smooth : 1 - Smooth;
            var pt = onNormal * (1 - p) + onAbnormal * p + Smooth;
            var log = System.Math.Log(pt);
            focal -= (1 - pt) * (1 - pt) * log;
            var dFocalDpt = 2 * (1 - pt) * log - (1 - pt) * (1 - pt) / pt;
            gradient[i] += (float)(focalScale * dFocalDpt * (onAbnormal - onNormal));
            var g = positive ? 1.0 : 0.0;
            intersection += p * g;
            predicted += p;
            truth += g;
        }
        var denominator = predicted + truth + 1;
        var numerator = 2 * intersection + 1;
        for (var i = 0; i < probability.Length; i++)
        {
            var g = target[i] > 0.5f ? 1.0 : 0.0;
            gradient[i] -= (float)((2 * g * denominator - numerator) / (denominator * denominator) / batch);
        }
        return (focal * focalScale, (1 - numerator / denominator) / batch);
    }
}
