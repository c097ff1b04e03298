using Zsad.Cli.Study;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Testing;

namespace Zsad.Host.Tests;

/// <summary>`zsad models study --maps DIR`: the maps and lesion labels written are the ones the study scored.</summary>
public sealed class HeldOutEvaluationTests
{
    [Fact]
    public void Maps_AreWrittenPerCase_AndReproduceTheStudysDiceAndLesionCounts()
    {
        Peers.RequireCh2Bet();
        using var dir = new TempDir();
        var template = TemplateBrain.Downsample(TemplateBrain.LoadTemplate(), 3);
        var cases = HeldOutStudy.Development.Cases(template).Take(4).ToList();
        var maps = Path.Combine(dir.Path, "maps");

        var scores = HeldOutEvaluation.Evaluate(HeldOutStudy.Development.Normals(template, 2), cases, mapsDirectory: maps);

        foreach (var (c, scored) in cases.Zip(scores.PerCase))
        {
            var map = NiftiReader.Read(Path.Combine(maps, $"{c.Name}_map.nii.gz")).Volume.ToSingle();
            var lesions = (Volume<byte>)NiftiReader.Read(Path.Combine(maps, $"{c.Name}_lesions.nii.gz")).Volume;
            Assert.Equal((c.Image.SizeX, c.Image.SizeY, c.Image.SizeZ), (map.SizeX, map.SizeY, map.SizeZ));
            Assert.Equal(c.Lesions.Count, lesions.Data.Where(l => l != 0).Distinct().Count());
            for (var i = 0; i < c.Lesions.Count; i++)
                Assert.Equal(c.Lesions[i].Mask.Data.Count(m => m != 0), lesions.Data.Count(l => l == i + 1));
            if (c.Lesions.Count == 0)
                continue;
            long both = 0, flagged = 0, truth = 0;
            for (var v = 0; v < map.Data.Length; v++)
            {
                if (c.Brain.Data[v] == 0)
                    continue;
                var f = map.Data[v] >= 0.5f;
                var t = lesions.Data[v] != 0;
                both += f && t ? 1 : 0;
                flagged += f ? 1 : 0;
                truth += t ? 1 : 0;
            }
            Assert.Equal(scored.Dice, 2.0 * both / (flagged + truth), 6);
        }
    }
}
