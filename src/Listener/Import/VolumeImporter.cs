using Microsoft.Extensions.Logging;
using Zsad.Contracts;
using Zsad.Dicom;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;
using Zsad.Listener.Volumes;

namespace Zsad.Listener.Import;

/// <summary>Batch replay: archives enter through the same VolumePublisher as network series, so consumers see the same
/// VolumeReady whatever the source. Ids derive from the case (BraTS id, series UID, file name): replaying an archive
/// twice publishes nothing new.</summary>
public sealed class VolumeImporter(VolumePublisher publisher, ILogger<VolumeImporter> logger)
{
    public const string ImageSuffix = "-t2w.nii.gz";
    public const string MaskSuffix = "-seg.nii.gz";

    /// <summary>Imports a NIfTI file, a BraTS case folder, a folder of BraTS case folders, or a folder of DICOM files
    /// (one series), whichever <paramref name="path"/> is.</summary>
    public async Task<IReadOnlyList<VolumeReady>> ImportAsync(string path, CancellationToken cancellationToken = default)
    {
        if (File.Exists(path))
            return [await ImportNiftiAsync(path, cancellationToken).ConfigureAwait(false)];
        if (!Directory.Exists(path))
            throw new FileNotFoundException($"nothing to import at {path}", path);
        if (IsBratsCase(path))
            return [await ImportBratsCaseAsync(path, cancellationToken).ConfigureAwait(false)];
        var cases = Directory.EnumerateDirectories(path).Where(IsBratsCase).Order(StringComparer.Ordinal).ToList();
        if (cases.Count > 0)
        {
            var messages = new List<VolumeReady>();
            foreach (var c in cases)
                messages.Add(await ImportBratsCaseAsync(c, cancellationToken).ConfigureAwait(false));
            return messages;
        }
        return [await ImportDicomFolderAsync(path, cancellationToken).ConfigureAwait(false)];
    }

    public static bool IsBratsCase(string directory)
    {
        var id = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        return File.Exists(Path.Combine(directory, id + ImageSuffix));
    }

    /// <summary>&lt;id&gt;/&lt;id&gt;-t2w.nii.gz with an optional &lt;id&gt;-seg.nii.gz ground truth on the same grid.</summary>
    public async Task<VolumeReady> ImportBratsCaseAsync(string directory, CancellationToken cancellationToken = default)
    {
        var id = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        var image = NiftiReader.Read(Path.Combine(directory, id + ImageSuffix)).Volume;
        var maskPath = Path.Combine(directory, id + MaskSuffix);
        Volume? mask = null;
        if (File.Exists(maskPath))
        {
            mask = NiftiReader.Read(maskPath).Volume;
            if (!mask.HasSameGrid(image, 1e-3))
                throw new InvalidDataException($"{maskPath} is not on the grid of {id}{ImageSuffix} ({mask} vs {image})");
        }
        var description = new VolumeDescription(VolumeIds.ForImport(VolumeOrigin.BratsCase, id), 1, VolumeOrigin.BratsCase, CaseId: id,
            Modality: "MR", SeriesDescription: "t2w");
        logger.LogInformation("importing BraTS case {CaseId} (ground truth {HasGroundTruth})", id, mask is not null);
        return (await publisher.PublishAsync(description, image, null, mask, cancellationToken).ConfigureAwait(false)).Message;
    }

    public async Task<VolumeReady> ImportNiftiAsync(string file, CancellationToken cancellationToken = default)
    {
        var image = NiftiReader.Read(file).Volume;
        var name = Path.GetFileName(file);
        var caseId = name.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? name[..^7]
            : name.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        var description = new VolumeDescription(VolumeIds.ForImport(VolumeOrigin.Nifti, Path.GetFullPath(file)), 1, VolumeOrigin.Nifti, CaseId: caseId);
        logger.LogInformation("importing NIfTI case {CaseId}", caseId);
        return (await publisher.PublishAsync(description, image, null, null, cancellationToken).ConfigureAwait(false)).Message;
    }

    /// <summary>A folder with one DICOM series; the instance list is published as for network intake.</summary>
    public async Task<VolumeReady> ImportDicomFolderAsync(string directory, CancellationToken cancellationToken = default)
    {
        var series = DicomSeriesReader.ReadDirectory(directory);
        var seriesUid = series.SeriesInstanceUid ?? throw new InvalidDataException($"the series under {directory} has no SeriesInstanceUID");
        var studyUid = series.StudyInstanceUid ?? "";
        var first = DicomFile.Open(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .First(p => DicomFile.LooksLikeDicom(p) && DicomFile.Open(p).Dataset.GetString(DicomTags.SOPInstanceUID) == series.Slices[0].SopInstanceUid)).Dataset;
        var sources = new SourceInstanceList(studyUid, seriesUid, series.FrameOfReferenceUid,
            series.Slices.Select(s => new SourceInstance(s.SopClassUid, s.SopInstanceUid, s.FrameNumber)).ToList());
        var description = new VolumeDescription(VolumeIds.ForImport(VolumeOrigin.DicomFolder, seriesUid), 1, VolumeOrigin.DicomFolder,
            StudyInstanceUid: studyUid, SeriesInstanceUid: seriesUid, FrameOfReferenceUid: series.FrameOfReferenceUid,
            Modality: first.GetString(DicomTags.Modality), SeriesDescription: first.GetString(DicomTags.SeriesDescription));
        logger.LogInformation("importing DICOM series {SeriesInstanceUid} ({SliceCount} slices)", seriesUid, series.Slices.Count);
        return (await publisher.PublishAsync(description, series.Volume, sources, null, cancellationToken).ConfigureAwait(false)).Message;
    }
}
