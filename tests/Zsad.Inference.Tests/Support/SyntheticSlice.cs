namespace Zsad.Inference.Tests.Support;

/// <summary>A slice painted from functions of (x, y): the standardised intensities inside the brain (0 outside) and
/// the brain mask, as <c>AxialSquareCrop.CopyStandardized</c> hands them to the per-pixel terms.</summary>
public static class SyntheticSlice
{
    public static (float[] Pixels, byte[] Brain) Paint(int width, int height, Func<int, int, float> value, Func<int, int, bool> inBrain)
    {
        var pixels = new float[width * height];
        var brain = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                brain[y * width + x] = (byte)(inBrain(x, y) ? 1 : 0);
                pixels[y * width + x] = inBrain(x, y) ? value(x, y) : 0;
            }
        return (pixels, brain);
    }
}
