using Zsad.Inference.Heads;

namespace Zsad.Inference.Tests.Heads;

/// <summary>AugmentedViews' own rules; its agreement with torch's grid_sample on real-sized images is in
/// HeadParityTests.AnoVl_augmented_views_match_torch_grid_sample_with_reflection_and_align_corners.</summary>
public sealed class AugmentedViewsTests
{
    [Theory]
    [InlineData(-1.5f, 1f)]   // pixel -1 reflects about pixel centre 0
    [InlineData(1.5f, 3f)]    // pixel 5 reflects about pixel centre 4
    [InlineData(3.5f, 1f)]    // pixel 9: reflected twice
    [InlineData(0.25f, 2.5f)] // inside: unchanged
    public void Reflection_is_about_the_border_pixel_centres_with_align_corners(float normalised, float pixel)
        => Assert.Equal(pixel, AugmentedViews.ReflectedPixel(normalised, 5), 5);

    [Fact]
    public void Rotate90_turns_counter_clockwise_like_torch_rot90()
    {
        // torch.rot90([[1, 2], [3, 4]], 1) = [[2, 4], [1, 3]], in every channel.
        float[] image = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4];
        var output = new float[image.Length];
        AugmentedViews.Rotate90(image, 2, 1, output);
        Assert.Equal([2f, 4, 1, 3, 2, 4, 1, 3, 2, 4, 1, 3], output);
        AugmentedViews.Rotate90(image, 2, 2, output);
        Assert.Equal([4f, 3, 2, 1], output[..4]);
    }

    [Fact]
    public void An_image_of_the_wrong_size_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => AugmentedViews.Write(new float[10], 4, new float[AugmentedViews.Count * 48]));
        Assert.StartsWith("an augmented image must be [3, 4, 4] (48 values), not 10 values", ex.Message);
    }

    [Fact]
    public void A_views_buffer_too_small_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => AugmentedViews.Write(new float[48], 4, new float[48]));
        Assert.StartsWith($"the views buffer holds 48 values, 22 views of [3, 4, 4] need {22 * 48}", ex.Message);
    }
}
