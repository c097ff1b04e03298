using Zsad.Imaging.Synthetic;

namespace Zsad.Imaging.Tests.Synthetic;

/// <summary>The study settings are only worth their name if no two share a subject: a held-out draw must not reuse
/// a seed that a development run or an earlier draw has shown.</summary>
public class HeldOutStudyTests
{
    private const int Normals = 16;

    private static IEnumerable<(string Name, string Role, int Seed)> Seeds(HeldOutStudy.Setting setting)
    {
        foreach (var n in Enumerable.Range(0, HeldOutStudy.LesionCounts.Count))
            yield return (setting.Name, "test", setting.Test(n).Seed);
        foreach (var n in Enumerable.Range(0, Normals))
            yield return (setting.Name, "normal", setting.Normal(n).Seed);
    }

    [Fact]
    public void HeldOutDraws_ShareNoSubjectSeedWithEachOtherOrWithDevelopment()
    {
        var settings = Enumerable.Range(1, HeldOutStudy.LastDraw).Select(HeldOutStudy.Draw).Append(HeldOutStudy.Development).ToList();
        var seeds = settings.SelectMany(Seeds).ToList();
        var shared = seeds.GroupBy(s => s.Seed).Where(g => g.Count() > 1).Select(g => $"seed {g.Key}: {string.Join(", ", g.Select(s => $"{s.Name} {s.Role}"))}").ToList();
        Assert.True(shared.Count == 0, string.Join("; ", shared));
        var lesionSeeds = settings.Select(s => s.LesionSeed).ToList();
        // Each draw inserts 24 lesions from its lesion seed on.
        foreach (var a in lesionSeeds)
            Assert.Single(lesionSeeds, b => Math.Abs(a - b) < HeldOutStudy.LesionCounts.Sum());
    }

    /// <summary>From draw 8 on a subject's flip and scale come from a hashed seed: they change between draws as much
    /// as independent draws would (mean |scale difference| of two uniform draws of width 0.16: 0.053), where in draws
    /// 2-7 subject n kept nearly its scale and flip from draw to draw.</summary>
    [Fact]
    public void DrawsFromTheFirstMixedDraw_GiveEachSubjectAnUnrelatedFlipAndScale()
    {
        double MeanScaleChange(int firstDraw, int lastDraw) => Enumerable.Range(firstDraw, lastDraw - firstDraw).SelectMany(k =>
            Enumerable.Range(0, Normals).Select(n => Math.Abs(HeldOutStudy.Draw(k).Normal(n).Scale - HeldOutStudy.Draw(k + 1).Normal(n).Scale))).Average();
        double FlipChanges(int firstDraw, int lastDraw) => Enumerable.Range(firstDraw, lastDraw - firstDraw).SelectMany(k =>
            Enumerable.Range(0, Normals).Select(n => HeldOutStudy.Draw(k).Normal(n).FlipLeftRight != HeldOutStudy.Draw(k + 1).Normal(n).FlipLeftRight ? 1.0 : 0)).Average();

        Assert.True(MeanScaleChange(2, 7) < 0.01, $"draws 2-7 change a subject's scale by {MeanScaleChange(2, 7):F3} on average");
        Assert.InRange(MeanScaleChange(HeldOutStudy.FirstMixedDraw, HeldOutStudy.LastDraw), 0.04, 0.07);
        Assert.InRange(FlipChanges(HeldOutStudy.FirstMixedDraw, HeldOutStudy.LastDraw), 0.4, 0.6);
        // Draws before it stay as reported: draw 7's normal 5 (1-based) is flipped, at scale 1.070 and gamma 0.850.
        var reported = HeldOutStudy.Draw(7).Normal(4);
        Assert.True(reported.FlipLeftRight);
        Assert.Equal(1.070, reported.Scale, 3);
        Assert.Equal(0.850, reported.Gamma, 3);
    }

    [Fact]
    public void Draw1_IsTheFirstDraw_AndDrawsOutsideOneToThirtyAreRefused()
    {
        Assert.Same(HeldOutStudy.FirstDraw, HeldOutStudy.Draw(1));
        Assert.Equal("heldout2", HeldOutStudy.Draw(2).Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => HeldOutStudy.Draw(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HeldOutStudy.Draw(HeldOutStudy.LastDraw + 1));
    }

    [Fact]
    public void StrongDevelopment_HasTheDevelopmentSeedsAtTheHeldOutStrengths()
    {
        for (var n = 0; n < 10; n++)
        {
            var strong = HeldOutStudy.StrongDevelopment.Test(n);
            Assert.Equal(HeldOutStudy.Development.Test(n).Seed, strong.Seed);
            var heldOut = HeldOutStudy.FirstDraw.Test(n);
            Assert.Equal((heldOut.DeformMm, heldOut.BiasAmplitude, heldOut.NoiseFraction), (strong.DeformMm, strong.BiasAmplitude, strong.NoiseFraction));
        }
        Assert.Equal(HeldOutStudy.Development.LesionSeed, HeldOutStudy.StrongDevelopment.LesionSeed);
    }

    /// <summary>Draw 7 at 2 mm holds a lesion that fits nowhere in its brain (it stopped the whole study before): the
    /// study now leaves that lesion out and names it, and every other lesion of the layout is placed.</summary>
    [Fact]
    public void Draw7At2mm_LeavesOutTheLesionThatFitsNowhere_AndPlacesTheRest()
    {
        Assert.True(File.Exists(TemplateBrain.DefaultTemplatePath), "install Debian's mricron-data (ch2bet.nii.gz)");
        var template = TemplateBrain.Downsample(TemplateBrain.LoadTemplate(), 2);
        var cases = HeldOutStudy.Draw(7).Cases(template);
        var leftOut = cases.SelectMany(c => c.LeftOut).ToList();
        Assert.NotEmpty(leftOut);
        Assert.Equal(HeldOutStudy.LesionCounts.Sum(), cases.Sum(c => c.Lesions.Count) + leftOut.Count);
        Assert.Equal(HeldOutStudy.LesionCounts, cases.Select(c => c.Lesions.Count + c.LeftOut.Count));
    }
}
