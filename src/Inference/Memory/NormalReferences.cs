using System.Security.Cryptography;
using System.Text;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;

namespace Zsad.Inference.Memory;

/// <summary>A folder marked normal: its *.nii / *.nii.gz files, and each sub-folder holding one DICOM series, are
/// normal reference volumes. Remembers which files they came from so a memory bank can name its inputs.</summary>
public sealed class NormalReferences
{
    private NormalReferences(IReadOnlyList<(string Label, Volume<float> Volume)> volumes, IReadOnlyList<string> files, string directory)
    {
        Volumes = volumes;
        Files = files;
        Directory = directory;
    }

    public string Directory { get; }

    public IReadOnlyList<(string Label, Volume<float> Volume)> Volumes { get; }

    /// <summary>Every input file, relative to <see cref="Directory"/>, in ordinal order.</summary>
    public IReadOnlyList<string> Files { get; }

    public static NormalReferences Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"the normals folder {directory} does not exist");
        var dir = Path.GetFullPath(directory);
        var volumes = new List<(string, Volume<float>)>();
        var files = new List<string>();
        foreach (var nifti in System.IO.Directory.EnumerateFiles(dir).Where(IsNifti).Order(StringComparer.Ordinal))
        {
            volumes.Add((Path.GetFileName(nifti), NiftiReader.Read(nifti).ToSingle()));
            files.Add(Path.GetRelativePath(dir, nifti));
        }
        foreach (var series in System.IO.Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            var seriesFiles = System.IO.Directory.EnumerateFiles(series, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            if (seriesFiles.Count == 0)
                continue;
            SeriesVolume read;
            try
            {
                read = DicomSeriesReader.ReadDirectory(series);
            }
            catch (DicomSeriesException ex)
            {
                throw new ArgumentException($"normal series folder {series}: {ex.Message}", ex);
            }
            volumes.Add((Path.GetFileName(series), read.Volume));
            files.AddRange(seriesFiles.Select(f => Path.GetRelativePath(dir, f)));
        }
        if (volumes.Count == 0)
            throw new ArgumentException($"no normal volumes in {dir}: expected *.nii / *.nii.gz files or one DICOM series per sub-folder");
        return new NormalReferences(volumes, files, dir);
    }

    /// <summary>SHA-256 over the lines "sha256  relative-path" of every input file, so renaming or changing any
    /// input changes it.</summary>
    public string InputsSha256()
    {
        var text = new StringBuilder();
        foreach (var f in Files)
            text.Append(Bundles.BundleLoader.Sha256(Path.Combine(Directory, f))).Append("  ").Append(f.Replace('\\', '/')).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static bool IsNifti(string path) => path.EndsWith(".nii", StringComparison.Ordinal) || path.EndsWith(".nii.gz", StringComparison.Ordinal);
}
