using Microsoft.Extensions.Logging;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Bundles;
using Zsad.Inference.Engine;
using Zsad.Inference.Detection.Views;
using Zsad.Inference.Memory;

namespace Zsad.Inference.Detection;

/// <summary>Built-in detectors and installed bundles by name. The default is the ResNet18 feature-memory detector:
/// it uses real ImageNet weights that ship with the build, needs no download, and on the synthetic study it beats
/// the intensity baseline on every lesion kind (docs/detectors.md). A CLIP bundle runs through
/// its method head (src/Inference/Heads). A feature-memory bundle (`zsad models build-memory`) runs the ResNet18
/// detector from its stored bank, without normals.</summary>
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

    /// <param name="views">Planes to run along ("axial,coronal"), overriding the bundle manifest; null = manifest, else axial.</param>
    /// <param name="throughPlaneSigma">Millimetres, overriding the manifest; null = manifest, else none.</param>
    /// <param name="engine">How the ONNX sessions run (CUDA or CPU); null = the default (CUDA when it loads, else CPU).</param>
    public static IAnomalyDetector Create(string? nameOrBundle, string? normalsDirectory, out string referenceSource, ILogger? logger = null,
        string? views = null, string? throughPlaneSigma = null, EngineOptions? engine = null)
    {
        var loaded = Load(nameOrBundle, normalsDirectory, logger, views, throughPlaneSigma, engine);
        referenceSource = loaded.Trust.References;
        return loaded.Detector;
    }

    /// <summary>The detector with whether its references and calibration come from the site's own normals: a
    /// --normals folder the operator gave, or a memory bundle built from one, count as the site's; the shipped
    /// references, the synthetic template subjects and phantoms do not. Logs a warning when not calibrated.</summary>
    public static LoadedDetector Load(string? nameOrBundle, string? normalsDirectory, ILogger? logger = null, string? views = null, string? throughPlaneSigma = null,
        EngineOptions? engine = null)
    {
        var name = nameOrBundle ?? DefaultDetector;
        LoadedDetector loaded;
        if (name is ResNetMemoryDetector.DetectorName or IntensityBaselineDetector.DetectorName)
        {
            var slicing = SlicingOptions.Resolve(views, throughPlaneSigma, null, null);
            var normals = LoadNormals(normalsDirectory, out var referenceSource, logger);
            var built = FromNormals(name, normals, slicing, logger, engine);
            loaded = new LoadedDetector(built, ReferenceTrust.For(built, siteNormals: normalsDirectory is not null, referenceSource));
        }
        else
        {
            var bundleDir = Directory.Exists(name) ? name : Path.Combine(BundleDirectory, name);
            if (!Directory.Exists(bundleDir))
                throw new ArgumentException($"unknown detector '{name}' (built-in: {string.Join(", ", BuiltIn)}; or a bundle folder)");
            var bundle = BundleLoader.Load(bundleDir);
            var options = SlicingOptions.Resolve(views, throughPlaneSigma, bundle.Manifest.Views, bundle.Manifest.ThroughPlaneSigma);
            IAnomalyDetector detector;
            string referenceSource;
            var source = bundle.Manifest.MemorySource;
            if (bundle.Method == DetectorMethod.FeatureMemory)
            {
                // The bank holds axial slices: other planes would be compared with the wrong anatomy.
                if (options.Views is not [AnatomicalPlane.Axial])
                    throw new ArgumentException($"bundle '{bundle.Name}' holds a memory of axial slices only; views {string.Join(",", options.Views).ToLowerInvariant()} need the normals (use --detector {ResNetMemoryDetector.DetectorName} --normals DIR)");
                referenceSource = $"memory bank in {bundle.Directory} ({source?.Volumes} normal volumes, {source?.Slices} slices, inputs sha256 {source?.Sha256})";
                detector = FeatureMemoryBundle.Load(bundle, engine, logger);
            }
            else
            {
                referenceSource = source is null ? $"zero-shot bundle {bundle.Directory} (no normal references)"
                    : $"few-shot memory in {bundle.Directory} ({source.Volumes} normal volumes)";
                detector = new Heads.ClipDetector(bundle, engine, logger);
            }
            // A CLIP head has nothing plane-specific, so one instance serves every view.
            var wrapped = options.IsDefault ? detector : new MultiViewDetector(options.Views.Select(p => (p, detector)).ToList(), options.ThroughPlaneSigmaMm);
            loaded = new LoadedDetector(wrapped, ReferenceTrust.For(wrapped, siteNormals: source is not null, referenceSource));
        }
        if (loaded.Trust.Warning is { } warning)
            logger?.LogWarning("{Warning}", warning);
        return loaded;
    }

    /// <summary>The ONNX engine a detector computes on (the first view's, for several views: all are created with the
    /// same options); null for detectors without a network (intensity baseline).</summary>
    public static OnnxEngine? EngineOf(IAnomalyDetector detector) => detector switch
    {
        MultiViewDetector multi => EngineOf(multi.Inner),
        ResNetMemoryDetector resnet => resnet.Backbone.Engine,
        Heads.ClipDetector clip => clip.Engine,
        _ => null,
    };

    /// <summary>Makes the detector (every view's) add its per-stage times to <paramref name="timings"/>; detectors
    /// without stages (intensity baseline) add none.</summary>
    public static void TimeStages(IAnomalyDetector detector, StageTimings? timings)
    {
        switch (detector)
        {
            case MultiViewDetector multi:
                foreach (var d in multi.Detectors)
                    TimeStages(d, timings);
                break;
            case ResNetMemoryDetector resnet:
                resnet.Timings = timings;
                break;
            case Heads.ClipDetector clip:
                clip.Timings = timings;
                break;
        }
    }

    /// <summary>A built-in detector from normal volumes; for each plane other than axial its memory is built from
    /// the normals resliced to that plane, so each view compares like with like.</summary>
    public static IAnomalyDetector FromNormals(string name, IReadOnlyList<Volume<float>> normals, SlicingOptions slicing, ILogger? logger = null,
        EngineOptions? engine = null)
    {
        IAnomalyDetector Build(IReadOnlyList<Volume<float>> volumes, IReadOnlyList<Volume<byte>>? masks) => name switch
        {
            ResNetMemoryDetector.DetectorName => ResNetMemoryDetector.Build(volumes, logger: logger, normalMasks: masks, engine: engine),
            IntensityBaselineDetector.DetectorName => IntensityBaselineDetector.Build(volumes),
            _ => throw new ArgumentException($"'{name}' is not a built-in detector ({string.Join(", ", BuiltIn)})"),
        };
        if (slicing.IsDefault)
            return Build(normals, null);
        var views = new List<(AnatomicalPlane, IAnomalyDetector)>();
        foreach (var plane in slicing.Views)
        {
            if (plane == AnatomicalPlane.Axial)
            {
                views.Add((plane, Build(normals, null)));
                continue;
            }
            var masks = normals.Select(n => PlaneReslice.ToAxial(BrainMask.Compute(n), plane)).ToList();
            views.Add((plane, Build(normals.Select(n => PlaneReslice.ToAxial(n, plane)).ToList(), masks)));
        }
        return new MultiViewDetector(views, slicing.ThroughPlaneSigmaMm);
    }
}

/// <summary>A detector ready to run and how far its decision level can be trusted on this site's scans.</summary>
public sealed record LoadedDetector(IAnomalyDetector Detector, ReferenceTrust Trust);
