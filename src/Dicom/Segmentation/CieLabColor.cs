namespace Zsad.Dicom.Segmentation;

/// <summary>A CIELab colour as PS3.3 C.10.7.1.1 encodes it in RecommendedDisplayCIELabValue: three US values,
/// L* 0..100 and a*, b* -128..127 scaled linearly onto 0..65535.</summary>
public readonly record struct CieLabColor(double L, double A, double B)
{
    /// <summary>Pure sRGB red (D65): the colour viewers draw anomalies in unless told otherwise.</summary>
    public static CieLabColor Red { get; } = new(53.24, 80.09, 67.20);

    public ushort[] ToDicom() =>
    [
        Scale(L, 0, 100),
        Scale(A, -128, 127),
        Scale(B, -128, 127),
    ];

    public static CieLabColor FromDicom(ReadOnlySpan<ushort> values)
    {
        if (values.Length != 3)
            throw new ArgumentException($"RecommendedDisplayCIELabValue holds 3 values, not {values.Length}");
        return new(Unscale(values[0], 0, 100), Unscale(values[1], -128, 127), Unscale(values[2], -128, 127));
    }

    private static ushort Scale(double v, double min, double max)
        => (ushort)Math.Round(Math.Clamp((v - min) / (max - min), 0, 1) * 65535);

    private static double Unscale(ushort v, double min, double max) => min + v / 65535.0 * (max - min);
}
