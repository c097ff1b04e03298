using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Preprocessing;
using Zsad.Imaging.Synthetic;

namespace Zsad.Training.Tests;

/// <summary>Shared inputs of the end-to-end training tests, made once per class: the tiny random-weight VAND bundle
/// of tools/export/train_reference.py --tiny-bundle (a CLIP-shaped ViT: 96 px, patch 8 -> 12x12 grid, width 64,
/// 4 blocks, raw tokens of blocks 1 and 2, embed 32) and a BraTS-style
/// folder of synthetic subjects: ch2bet (mricron-data) at 3 mm under the study's test transforms, each with one
/// bright lesion of known mask. Random encoder weights: what training reaches here shows the trainer learns, not how
/// well a CLIP model finds metastases.</summary>
public sealed class TrainingFixture : IDisposable
{
    public const int Subjects = 8;

    private readonly TempDir _dir = new();
    private readonly Lazy<(string Bundle, string Data)> _inputs;

    public TrainingFixture() => _inputs = new(Generate);

    public string Bundle => _inputs.Value.Bundle;

    public string Data => _inputs.Value.Data;

    public string NewFolder(string name) => Path.Combine(_dir.Sub("runs"), name + "-" + Guid.NewGuid().ToString("N")[..8]);

    private (string, string) Generate()
    {
        var bundle = Path.Combine(_dir.Path, "tiny-vand");
        TorchReference.Run("train_reference.py", "--tiny-bundle", bundle);
        var data = _dir.Sub("brats");
        WriteSubjects(data, TemplateBrain.Downsample(TemplateBrain.LoadTemplate(Peers.RequireCh2Bet()), 3), Subjects);
        return (bundle, data);
    }

    public static void WriteSubjects(string root, Volume<float> template, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"SYN-{i:D3}";
            var image = TemplateBrain.Apply(template, TemplateStudy.TestTransform(i));
            var (withLesion, lesion) = LesionInserter.Insert(image, BrainMask.NonZero(image), LesionKind.Bright, radiusMm: 18 + 2 * (i % 3), seed: 500 + i);
            var folder = Directory.CreateDirectory(Path.Combine(root, id)).FullName;
            NiftiWriter.Write(withLesion, Path.Combine(folder, $"{id}-t2w.nii.gz"));
            NiftiWriter.Write(lesion, Path.Combine(folder, $"{id}-seg.nii.gz"));
        }
    }

    public void Dispose() => _dir.Dispose();
}
