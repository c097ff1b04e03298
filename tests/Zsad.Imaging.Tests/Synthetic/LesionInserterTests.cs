using Zsad.Imaging.Synthetic;

namespace Zsad.Imaging.Tests.Synthetic;

public class LesionInserterTests
{
    /// <summary>A 9-voxel brain cube in a 160³ volume: only its 27 central voxels fit a lesion of radius 2 (brain 1.6
    /// radii out along every axis), about 7e-6 of the volume, which random sampling rarely hits (held-out draw 7 at
    /// 2 mm failed so). The lesion must still be placed, inside the cube; where nothing fits, TryInsert gives null and
    /// Insert says so.</summary>
    [Fact]
    public void Insert_WhereFewPlacesFit_StillFindsOne_AndRefusesWhenNoneDoes()
    {
        var volume = new Volume<float>(160, 160, 160, Affine.Identity);
        var brain = volume.Like<byte>();
        for (var k = 70; k < 79; k++)
        for (var j = 70; j < 79; j++)
        for (var i = 70; i < 79; i++)
        {
            volume[i, j, k] = 100 + (i + j + k) % 7;
            brain[i, j, k] = 1;
        }
        for (var seed = 0; seed < 3; seed++)
        {
            var (_, mask) = LesionInserter.Insert(volume, brain, LesionKind.Bright, radiusMm: 2, seed);
            var marked = Enumerable.Range(0, mask.Data.Length).Where(v => mask.Data[v] != 0).ToList();
            Assert.NotEmpty(marked);
            Assert.All(marked, v => Assert.Equal(1, brain.Data[v]));
        }
        Assert.Null(LesionInserter.TryInsert(volume, brain, LesionKind.Bright, radiusMm: 5, seed: 0, cortical: false, avoid: null));
        var ex = Assert.Throws<InvalidOperationException>(() => LesionInserter.Insert(volume, brain, LesionKind.Bright, radiusMm: 5, seed: 0));
        Assert.Equal("no place in the brain fits a lesion of that size", ex.Message);
    }
}
