using System.Security.Cryptography;
using System.Text;

namespace Zsad.Training.Data;

/// <summary>A BraTS-style folder: one sub-folder per subject, <c>&lt;id&gt;/&lt;id&gt;-t2w.nii.gz</c> with its
/// label map <c>&lt;id&gt;-seg.nii.gz</c> (any label &gt; 0 is the whole tumour, labels 1+2+3 as in the seed).</summary>
public sealed class BratsDataset
{
    public sealed record Subject(string Id, string ImagePath, string SegmentationPath);

    private BratsDataset(string root, IReadOnlyList<Subject> subjects)
    {
        Root = root;
        Subjects = subjects;
    }

    public string Root { get; }

    /// <summary>Sorted by id (ordinal), so splits and hashes do not depend on the file system's order.</summary>
    public IReadOnlyList<Subject> Subjects { get; }

    public static BratsDataset Open(string root)
    {
        if (!Directory.Exists(root))
            throw new TrainingException($"training data {root}: no such folder");
        var subjects = new List<Subject>();
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileName(folder);
            var image = Path.Combine(folder, $"{id}-t2w.nii.gz");
            var seg = Path.Combine(folder, $"{id}-seg.nii.gz");
            if (!File.Exists(image))
                continue;
            if (!File.Exists(seg))
                throw new TrainingException($"training data {root}: subject {id} has {id}-t2w.nii.gz but no {id}-seg.nii.gz");
            subjects.Add(new Subject(id, image, seg));
        }
        if (subjects.Count < 2)
            throw new TrainingException($"training data {root}: {subjects.Count} subject(s) with <id>/<id>-t2w.nii.gz and <id>-seg.nii.gz; training needs at least 2 (one to validate on)");
        return new BratsDataset(root, subjects);
    }

    /// <summary>SHA-256 over every subject's id and the SHA-256 of its two files: what the bundle records as the
    /// training data, and what a feature cache is keyed on.</summary>
    public string ContentHash()
    {
        var text = new StringBuilder();
        foreach (var s in Subjects)
            text.Append(s.Id).Append(' ').Append(Zsad.Inference.Bundles.BundleLoader.Sha256(s.ImagePath))
                .Append(' ').Append(Zsad.Inference.Bundles.BundleLoader.Sha256(s.SegmentationPath)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
