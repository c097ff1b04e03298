using System.Runtime.InteropServices;
using System.Text.Json;

namespace Zsad.Imaging.Tests.Support;

/// <summary>What nibabel saw in a NIfTI file (written by Peers/nib_dump.py): shape, on-disk dtype, RAS affine,
/// scaling, and the voxels unscaled (raw little-endian bytes) and scaled (float64), all i-fastest.</summary>
public sealed record NibabelView(string Path, int[] Shape, string DType, Affine AffineRas, Affine QformRas, int SformCode, int QformCode,
    double Slope, double Inter, string Endianness, int Version, byte[] Raw, double[] Scaled)
{
    public Affine AffineLps => PatientFrame.RasToLps(AffineRas);

    /// <summary>Loads each file with nibabel in one python run.</summary>
    public static IReadOnlyList<NibabelView> Load(params string[] paths)
    {
        using var dir = new TempDir();
        Peers.RequirePythonModule("nibabel", "python3-nibabel");
        Peers.RunScript("nib_dump.py", [dir.Path, .. paths]).EnsureSuccess("nib_dump.py");
        var result = new List<NibabelView>();
        for (var i = 0; i < paths.Length; i++)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(dir.File($"{i}.json")));
            var r = json.RootElement;
            double[] Doubles(string name) => r.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var scaledBytes = File.ReadAllBytes(dir.File($"{i}.f64"));
            result.Add(new NibabelView(
                r.GetProperty("path").GetString()!,
                r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                r.GetProperty("dtype").GetString()!,
                Affine.FromRowMajor(Doubles("affine")),
                Affine.FromRowMajor(Doubles("qform")),
                r.GetProperty("sform_code").GetInt32(),
                r.GetProperty("qform_code").GetInt32(),
                r.GetProperty("slope").GetDouble(),
                r.GetProperty("inter").GetDouble(),
                r.GetProperty("endianness").GetString()!,
                r.GetProperty("version").GetInt32(),
                File.ReadAllBytes(dir.File($"{i}.raw")),
                MemoryMarshal.Cast<byte, double>(scaledBytes).ToArray()));
        }
        return result;
    }
}
