using Zsad.Imaging.Synthetic;

namespace Zsad.Imaging.Tests.Synthetic;

public class SyntheticBrainStudyTests
{
    [Fact]
    public void SameSeed_SameStudy_OtherSeed_OtherStudy()
    {
        var a = SyntheticBrainStudy.Create("A", 5, size: 48, slices: 12);
        var b = SyntheticBrainStudy.Create("A", 5, size: 48, slices: 12);
        var c = SyntheticBrainStudy.Create("A", 6, size: 48, slices: 12);
        Assert.Equal(a.Image.Data, b.Image.Data);
        Assert.NotEqual(a.Image.Data, c.Image.Data);
    }

    [Fact]
    public void Lesions_AreMarkedInTheMask_AndLieInsideTheBrain()
    {
        var study = SyntheticBrainStudy.Create("L", 3, size: 64, slices: 24, lesionCount: 3);
        Assert.Equal(3, study.Lesions.Count);
        var lesionVoxels = 0;
        for (var n = 0; n < study.Image.Data.Length; n++)
        {
            if (study.LesionMask.Data[n] == 0)
                continue;
            lesionVoxels++;
            Assert.True(study.Image.Data[n] > 0, "a lesion voxel outside the brain");
        }
        Assert.True(lesionVoxels > 50, $"only {lesionVoxels} lesion voxels");
        Assert.True(study.LesionMask.HasSameGrid(study.Image));
    }

    [Fact]
    public void Background_IsZero_LikeASkullStrippedBraTSImage()
    {
        var study = SyntheticBrainStudy.Create("B", 1, size: 48, slices: 12);
        Assert.Equal(0, study.Image[0, 0, 0]);
        Assert.True(study.Image.Data.Count(v => v == 0) > study.Image.Data.Length / 5);
    }
}
