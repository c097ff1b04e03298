namespace Zsad.Imaging.Preprocessing;

public enum ResizeMode
{
    /// <summary>Two-tap linear interpolation per axis.</summary>
    Bilinear,
    /// <summary>Four-tap Keys cubic convolution with a = -0.75 per axis (PyTorch's coefficient; PIL uses -0.5).</summary>
    Bicubic,
}
