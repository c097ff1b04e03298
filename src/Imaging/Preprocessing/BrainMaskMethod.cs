namespace Zsad.Imaging.Preprocessing;

public enum BrainMaskMethod
{
    /// <summary><see cref="NonZero"/> for inputs that look skull-stripped, else <see cref="Otsu"/>.</summary>
    Auto,
    /// <summary>Every voxel that is not exactly 0: right for skull-stripped data such as BraTS, where background is 0.</summary>
    NonZero,
    /// <summary>Otsu threshold, largest connected component, enclosed holes filled: a head mask for raw scans.</summary>
    Otsu,
}
