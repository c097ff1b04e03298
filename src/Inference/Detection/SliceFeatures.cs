namespace Zsad.Inference.Detection;

/// <summary>Patch features of one axial slice on the stride-8 grid: Grid x Grid patches of Dim values each
/// (patch-major), with the slice's normalised brain height and which patches cover brain.</summary>
public sealed record SliceFeatures(int Slice, double Height, float[] Features, bool[] Brain)
{
    public const int Grid = 28;
    public const int Dim = 256;
}
