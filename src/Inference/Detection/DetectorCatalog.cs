using Microsoft.Extensions.Logging;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Detection;

/// <summary>Built-in detectors and installed bundles by name. The default is the ResNet18 feature-memory detector:
/// it uses real ImageNet weights that ship with the build, needs no download, and on the synthetic study it beats
/// the intensity baseline on every lesion kind (docs/detectors.md). A CLIP bundle runs through
/// its method head (src/Inference/Heads); the AdaCLIP head is not implemented yet.</summary>
public static class DetectorCatalog
{
    public const string DefaultDetector = ResNetMemoryDetector.DetectorName;

    public static IReadOnlyList<string> BuiltIn { get; } = [ResNetMemoryDetector.DetectorName, IntensityBaselineDetector.DetectorName];

    /// <summary>Where installed bundles live: $ZSAD_BUNDLES, else a "bundles" folder beside the program.</summary>
    public static string BundleDirectory => Environment.GetEnvironmentVariable("ZSAD_BUNDLES") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "bundles");

    /// <summary>Reference normals: *.nii / *.nii.gz in a folder, else the ones shipped beside the program
    /// ("references"), else the study's reference subjects made from Debian's ch2bet when it is installed, else
    /// lesion-free synthetic phantoms — enough for synthetic data and the demo, meaningless for real scans, which
    /// <paramref name="source"/> says so that callers can print it.</summary>
    public static IReadOnlyList<Volume<float>> LoadNormals(string? directory, out string source, ILogger? logger = null)
    {
        var dir = directory ?? Path.Combine(AppContext.BaseDirectory, "references");
        if (Directory.Exists(dir))
        {
            var files = Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".nii", StringComparison.Ordinal) || f.EndsWith(".nii.gz", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            if (files.Count > 0)
            {
                source = $"{files.Count} reference volumes in {dir}";
                return files.Select(f => NiftiReader.Read(f).ToSingle()).ToList();
            }
        }
        if (directory is not null)
            throw new FileNotFoundException($"no .nii or .nii.gz normal reference volumes in {directory}");
        if (File.Exists(TemplateBrain.DefaultTemplatePath))
        {
            source = $"synthetic reference subjects made from {TemplateBrain.DefaultTemplatePath}";
            logger?.LogWarning("no shipped references: using synthetic reference subjects made from {Template}", TemplateBrain.DefaultTemplatePath);
            return TemplateStudy.References(TemplateBrain.LoadTemplate());
        }
        source = "PHANTOM references (lesion-free synthetic brains): fine for synthetic studies, meaningless for real scans — pass --normals DIR";
        logger?.LogWarning("no reference normals found: using lesion-free synthetic phantoms; pass --normals for real scans");
        return PhantomNormals();
    }

    /// <summary>Lesion-free phantoms whose seeds no demo or test study uses, so references never equal a test volume.</summary>
    public static IReadOnlyList<Volume<float>> PhantomNormals(int count = 3)
        => Enumerable.Range(0, count).Select(n => SyntheticBrainStudy.Create($"REF-{n}", 1000 + n, lesionCount: 0).Image.ToSingle()).ToList();

    public static IAnomalyDetector Create(string? nameOrBundle, string? normalsDirectory, ILogger? logger = null)
        => Create(nameOrBundle, normalsDirectory, out _, logger);

    public static IAnomalyDetector Create(string? nameOrBundle, string? normalsDirectory, out string referenceSource, ILogger? logger = null)
    {
        var name = nameOrBundle ?? DefaultDetector;
        referenceSource = "none";
        if (name == ResNetMemoryDetector.DetectorName)
            return ResNetMemoryDetector.Build(LoadNormals(normalsDirectory, out referenceSource, logger), logger: logger);
        if (name == IntensityBaselineDetector.DetectorName)
            return IntensityBaselineDetector.Build(LoadNormals(normalsDirectory, out referenceSource, logger));
        var bundleDir = Directory.Exists(name) ? name : Path.Combine(BundleDirectory, name);
        if (!Directory.Exists(bundleDir))
            throw new ArgumentException($"unknown detector '{name}' (built-in: {string.Join(", ", BuiltIn)}; or a bundle folder)");
        var bundle = BundleLoader.Load(bundleDir);
        // ClipHeads.Create names the method when its head is not implemented (feature-memory).
        return new Heads.ClipDetector(bundle, logger: logger);
    }
}
