using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;
using Zsad.Imaging.Synthetic;

namespace Zsad.Reporter.Tests.Support;

/// <summary>A synthetic study written as an MR series, with an anomaly map on its grid: the lesion mask scored 0.9,
/// a one-voxel speck scored 0.8 (a component the minimum-size filter removes) and a low background.</summary>
public sealed class SegCase : IDisposable
{
    public SegCase(int seed = 3, int size = 48, int slices = 12)
    {
        Dir = new TempDir();
        Study = SyntheticBrainStudy.Create($"case{seed}", seed, size, slices, lesionCount: 2);
        SeriesDirectory = Path.Combine(Dir.Path, "series");
        DicomSeriesWriter.Write(Study.Image, SeriesDirectory, new MrSeriesOptions { UidSeed = $"reporter-test-{seed}", PatientId = $"P{seed}" });
        Map = Study.Image.Like<float>();
        var mask = Study.LesionMask.Data;
        for (var v = 0; v < mask.Length; v++)
            Map.Data[v] = mask[v] != 0 ? 0.9f : 0.1f * (v % 5) / 5f;
        // An isolated speck well away from every lesion.
        Speck = (1, 1, 1);
        Map[Speck.I, Speck.J, Speck.K] = 0.8f;
        MapPath = Path.Combine(Dir.Path, "map.nii.gz");
        NiftiWriter.Write(Map, MapPath);
    }

    public TempDir Dir { get; }
    public SyntheticStudy Study { get; }
    public string SeriesDirectory { get; }
    public Volume<float> Map { get; }
    public string MapPath { get; }
    public (int I, int J, int K) Speck { get; }

    public string File(string name) => Dir.File(name);

    public void Dispose() => Dir.Dispose();
}
