using Zsad.Dicom;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;
using Zsad.Imaging.Synthetic;

namespace Zsad.Host.Tests.Support;

/// <summary>A small synthetic study with known lesions written as an MR series, plus its truth named by
/// SeriesInstanceUID in a folder the Reporter reads ground truth from.</summary>
public sealed record SyntheticSeries(string SourceDirectory, string TruthDirectory, string StudyInstanceUid, string SeriesInstanceUid, int Instances)
{
    public static SyntheticSeries Write(string root, string id, int seed, int slices = 16)
    {
        var study = SyntheticBrainStudy.Create(id, seed, size: 64, slices: slices);
        var source = Path.Combine(root, "source", id);
        var files = DicomSeriesWriter.Write(study.Image, source, new MrSeriesOptions
        {
            PatientName = "Test^Synthetic",
            PatientId = id,
            UidSeed = id + "-" + Guid.NewGuid().ToString("N"), // fresh UIDs per run: Orthanc and the broker outlive a test
            SeriesDescription = "synthetic t2w axial",
            ImageType = ["DERIVED", "SECONDARY", "OTHER"],
        });
        var first = DicomFile.Open(files[0]).Dataset;
        var series = first.GetRequiredString(DicomTags.SeriesInstanceUID);
        var truth = Path.Combine(root, "truth");
        Directory.CreateDirectory(truth);
        NiftiWriter.Write(study.LesionMask, Path.Combine(truth, series + ".nii.gz"));
        return new SyntheticSeries(source, truth, first.GetRequiredString(DicomTags.StudyInstanceUID), series, files.Count);
    }
}
