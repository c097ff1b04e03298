namespace Zsad.Imaging;

/// <summary>The one place where RAS (NIfTI, nibabel, dcm2niix output) and LPS (DICOM, and every
/// <see cref="Volume"/> in Zsad) meet: the two frames differ by a sign flip of the first two world axes.</summary>
public static class PatientFrame
{
    private static readonly Affine Flip = Affine.FromColumns(new Vec3(-1, 0, 0), new Vec3(0, -1, 0), Vec3.UnitZ, Vec3.Zero);

    /// <summary>An affine whose output is RAS, re-expressed with LPS output.</summary>
    public static Affine RasToLps(Affine ras) => Flip * ras;

    /// <summary>An affine whose output is LPS, re-expressed with RAS output.</summary>
    public static Affine LpsToRas(Affine lps) => Flip * lps;

    public static Vec3 RasToLps(Vec3 ras) => new(-ras.X, -ras.Y, ras.Z);

    public static Vec3 LpsToRas(Vec3 lps) => new(-lps.X, -lps.Y, lps.Z);

    /// <summary>Orientation letters of the index axes in LPS terms, e.g. "LPS" or "RAS" (nibabel's aff2axcodes
    /// in the LPS frame): each axis takes the letter of the world axis its direction is closest to.</summary>
    public static string AxisCodes(Affine lps)
    {
        var (axes, signs) = VolumeAxes.NearestWorldAxes(lps);
        Span<char> codes = stackalloc char[3];
        for (var a = 0; a < 3; a++)
            codes[a] = axes[a] switch
            {
                0 => signs[a] > 0 ? 'L' : 'R',
                1 => signs[a] > 0 ? 'P' : 'A',
                _ => signs[a] > 0 ? 'S' : 'I',
            };
        return new string(codes);
    }
}
