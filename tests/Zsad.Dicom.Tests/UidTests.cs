namespace Zsad.Dicom.Tests;

public class UidTests
{
    [Fact]
    public void Generate_Makes2_25UuidUids()
    {
        var a = DicomUid.Generate();
        var b = DicomUid.Generate();
        Assert.StartsWith("2.25.", a);
        Assert.NotEqual(a, b);
        Assert.True(DicomUid.IsValid(a));
        Assert.True(a.Length <= 64);
    }

    [Fact]
    public void FromName_IsDeterministicAndDistinct()
    {
        Assert.Equal(DicomUid.FromName("series|detector"), DicomUid.FromName("series|detector"));
        Assert.NotEqual(DicomUid.FromName("series|detector"), DicomUid.FromName("series|detector2"));
        Assert.True(DicomUid.IsValid(DicomUid.FromName("x")));
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2", true)]
    [InlineData("1.2.840.10008.1.2.", false)]
    [InlineData("1.02.3", false)]
    [InlineData("1.0.3", true)]
    [InlineData("1.2.a", false)]
    [InlineData("", false)]
    public void IsValid_FollowsPs35Rules(string uid, bool valid) => Assert.Equal(valid, DicomUid.IsValid(uid));

    [Fact]
    public void WellKnownUids_AreNamed()
    {
        Assert.Equal("MR Image Storage", DicomUid.NameOf(DicomUid.MRImageStorage));
        Assert.Equal("RLE Lossless", DicomUid.NameOf("1.2.840.10008.1.2.5"));
        Assert.Equal(TransferSyntax.DeflatedExplicitVRLittleEndian, TransferSyntax.Parse("deflated"));
        Assert.Equal(TransferSyntax.ExplicitVRBigEndian, TransferSyntax.Parse("1.2.840.10008.1.2.2"));
        Assert.Throws<FormatException>(() => TransferSyntax.Parse("jpeg9000"));
    }
}
