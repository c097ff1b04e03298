using Zsad.Imaging;
using Zsad.Imaging.Series;

namespace Zsad.Listener.Tests.Support;

/// <summary>Small axial MR series written by Zsad's own series writer: files IM0001.dcm... in slice order.</summary>
public static class TestSeries
{
    public static Volume<short> Volume(int slices = 10, int size = 24, int seed = 1)
    {
        var affine = Affine.FromGeometry(new Vec3(1.0, 1.0, 2.5), Vec3.UnitX, Vec3.UnitY, Vec3.UnitZ, new Vec3(-12, -12, -20));
        var v = new Volume<short>(size, size, slices, affine);
        var rng = new Random(seed);
        for (var n = 0; n < v.Data.Length; n++)
            v.Data[n] = (short)rng.Next(0, 1000);
        return v;
    }

    public static IReadOnlyList<string> Write(string directory, int slices = 10, string description = "t2w axial", int seed = 1)
        => DicomSeriesWriter.Write(Volume(slices, seed: seed), directory, new MrSeriesOptions
        {
            UidSeed = $"zsad-listener-test/{Guid.NewGuid():N}",
            SeriesDescription = description,
        });
}
