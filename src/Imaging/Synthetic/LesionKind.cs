namespace Zsad.Imaging.Synthetic;

public enum LesionKind
{
    /// <summary>Brighter than any normal tissue (oedema-like on T2, enhancing on contrast T1).</summary>
    Bright,
    /// <summary>Darker than white and grey matter (necrosis- or cyst-like).</summary>
    Dark,
    /// <summary>Mean intensity of the surrounding tissue but mottled: invisible to an intensity threshold.</summary>
    Texture,
}
