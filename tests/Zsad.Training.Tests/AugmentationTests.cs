using Zsad.Training.Data;

namespace Zsad.Training.Tests;

public sealed class AugmentationTests
{
    private const int Size = 24;

    private static float[] Blob(int cx, int cy, int r)
    {
        var image = new float[Size * Size];
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
                image[y * Size + x] = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r ? 1 : 0;
        return image;
    }

    [Fact]
    public void Flip_without_rotation_mirrors_left_and_right_exactly()
    {
        var image = Blob(5, 9, 3);
        var flipped = Augmentation.Warp(image, Size, flip: true, angle: 0);
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
                Assert.Equal(image[y * Size + Size - 1 - x], flipped[y * Size + x], 1e-6f);
    }

    [Fact]
    public void Image_and_target_move_together()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var blob = Blob(8, 14, 5);
            var (image, target) = Augmentation.View(blob, blob, Size, new Random(seed));
            var disagreements = Enumerable.Range(0, image.Length).Count(p => (image[p] > 0.5f) != (target[p] > 0.5f));
            // Gamma moves edge pixels across 0.5; only those may disagree.
            Assert.True(disagreements <= 6, $"seed {seed}: {disagreements} pixels disagree");
            Assert.InRange(target.Sum(), 0.7f * blob.Sum(), 1.3f * blob.Sum());
        }
    }

    [Fact]
    public void Views_are_the_same_for_the_same_generator_seed()
    {
        var blob = Blob(10, 10, 4);
        var a = Augmentation.View(blob, blob, Size, new Random(3));
        var b = Augmentation.View(blob, blob, Size, new Random(3));
        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.Target, b.Target);
    }
}
