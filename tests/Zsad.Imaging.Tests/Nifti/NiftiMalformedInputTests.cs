using System.Buffers.Binary;
using System.IO.Compression;
using Zsad.Imaging.Nifti;

namespace Zsad.Imaging.Tests.Nifti;

/// <summary>Malformed headers are refused with one exception type naming the field, before any large allocation.</summary>
public sealed class NiftiMalformedInputTests
{
    private static byte[] Valid(int version = 1)
    {
        var v = new Volume<short>(4, 3, 2, Affine.Identity);
        for (var i = 0; i < v.Data.Length; i++)
            v.Data[i] = (short)i;
        return NiftiWriter.ToBytes(v, new NiftiWriteOptions { Version = version });
    }

    private static NiftiFormatException Refused(byte[] bytes, NiftiReadOptions? options = null)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(bytes, options));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "a refused file must not cost a large allocation");
        return ex;
    }

    private static byte[] With(byte[] bytes, Action<byte[]> patch)
    {
        var copy = (byte[])bytes.Clone();
        patch(copy);
        return copy;
    }

    [Fact]
    public void EmptyInput_IsRefusedAtSizeofHdr()
        => Assert.Equal("NIfTI sizeof_hdr: the input holds 0 bytes; a NIfTI header needs at least 348 (at byte offset 0)", Refused([]).Message);

    [Fact]
    public void TruncatedHeader_IsRefused()
    {
        var ex = Refused(Valid()[..200]);
        Assert.Equal("sizeof_hdr", ex.Field);
        Assert.Equal("NIfTI sizeof_hdr: the file ends after 200 bytes, inside the 348-byte header (at byte offset 200)", ex.Message);
    }

    [Fact]
    public void WrongSizeofHdr_IsNotNifti()
    {
        var ex = Refused(With(Valid(), b => BinaryPrimitives.WriteInt32LittleEndian(b, 100)));
        Assert.Equal("NIfTI sizeof_hdr: is 100 (byte-swapped 1677721600); a NIfTI-1 header says 348 and a NIfTI-2 header 540: not a NIfTI file (at byte offset 0)", ex.Message);
    }

    [Fact]
    public void AnalyzeMagic_IsRefused()
        => Assert.Equal("NIfTI magic: is '\\0\\0\\0\\0', not 'n+1' (an Analyze 7.5 header?) (at byte offset 344)",
            Refused(With(Valid(), b => b.AsSpan(344, 4).Clear())).Message);

    [Fact]
    public void SeparateHeaderMagic_IsRefused()
        => Assert.Equal("NIfTI magic: 'ni1' marks a separate .hdr/.img pair, which Zsad does not read; convert it to a single .nii (at byte offset 344)",
            Refused(With(Valid(), b => "ni1\0"u8.CopyTo(b.AsSpan(344)))).Message);

    [Fact]
    public void Nifti2MagicDamagedByTextTransfer_IsRefused()
        => Assert.Equal("NIfTI magic: the bytes after 'n+2' are not \\r\\n\\x1a\\n: the file was altered by a text-mode transfer (at byte offset 8)",
            Refused(With(Valid(2), b => b[8] = (byte)'\n')).Message);

    [Fact]
    public void DimZero_IsRefused()
        => Assert.Equal("NIfTI dim[0]: is 0; the number of dimensions must be 1 to 7 (at byte offset 40)",
            Refused(With(Valid(), b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 0))).Message);

    [Fact]
    public void NegativeDim_IsRefused()
        => Assert.Equal("NIfTI dim[2]: is -3; every used dimension must be at least 1 (at byte offset 44)",
            Refused(With(Valid(), b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), -3))).Message);

    [Fact]
    public void DimsLargerThanTheFile_AreRefusedWithoutAllocating()
    {
        var ex = Refused(With(Valid(), b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), 2000);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), 2000);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(46), 100);
        }));
        Assert.Equal("NIfTI dim: 2000x2000x100 Int16 voxels need 800000000 bytes from vox_offset 352, more than the file holds (400 bytes) (at byte offset 40)", ex.Message);
    }

    [Fact]
    public void DimsWhoseProductOverflowsAVolume_AreRefused()
    {
        var ex = Refused(With(Valid(), b =>
        {
            for (var i = 1; i <= 3; i++)
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + 2 * i), 32767);
        }));
        Assert.Equal($"NIfTI dim[3]: dimensions 32767x32767x32767 hold more voxels than a volume can ({Array.MaxLength}) (at byte offset 46)", ex.Message);
    }

    [Fact]
    public void DimsLargerThanTheGzipCanInflateTo_AreRefusedWithoutAllocating()
    {
        var header = With(Valid(), b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), 30000);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), 30000);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(46), 1);
        });
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(header);
        var ex = Refused(ms.ToArray());
        Assert.StartsWith("NIfTI dim: 30000x30000x1 Int16 voxels need 1800000000 bytes from vox_offset 352, more than the file holds (", ex.Message);
        Assert.EndsWith(" bytes once inflated at most) (at byte offset 40)", ex.Message);
    }

    [Fact]
    public void Nifti2DimsThatOverflow_AreRefused()
    {
        var ex = Refused(With(Valid(2), b =>
        {
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(24), 1L << 40);
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(32), 1L << 40);
        }));
        Assert.Equal("dim[1]", ex.Field);
        Assert.Equal($"NIfTI dim[1]: dimensions 1099511627776x1099511627776x2 hold more voxels than a volume can ({Array.MaxLength}) (at byte offset 24)", ex.Message);
    }

    [Fact]
    public void FourDimensionalImage_IsRefused()
        => Assert.Equal("NIfTI dim[4]: is 5: a 4D image with more than one 3D volume; Zsad reads 3D volumes only (at byte offset 48)",
            Refused(With(Valid(), b =>
            {
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 4);
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(48), 5);
            })).Message);

    [Fact]
    public void RgbDatatype_IsRefused()
        => Assert.Equal("NIfTI datatype: 128 (Rgb24) is not a scalar type Zsad reads (uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64) (at byte offset 70)",
            Refused(With(Valid(), b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(70), 128))).Message);

    [Fact]
    public void BitpixThatContradictsDatatype_IsRefused()
        => Assert.Equal("NIfTI bitpix: is 8 but datatype Int16 has 16 bits (at byte offset 72)",
            Refused(With(Valid(), b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(72), 8))).Message);

    [Fact]
    public void VoxOffsetInsideTheHeader_IsRefused()
        => Assert.Equal("NIfTI vox_offset: is 100; data cannot start inside the 348-byte header and its 4-byte extension flag (at byte offset 108)",
            Refused(With(Valid(), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 100))).Message);

    [Fact]
    public void FractionalVoxOffset_IsRefused()
        => Assert.Equal("NIfTI vox_offset: is 352.5; it must be a whole number of bytes (at byte offset 108)",
            Refused(With(Valid(), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 352.5f))).Message);

    [Fact]
    public void InfiniteInterceptWithScaling_IsRefused()
        => Assert.Equal("NIfTI scl_inter: is Infinity while scl_slope 2 asks for scaling (at byte offset 116)",
            Refused(With(Valid(), b =>
            {
                BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(112), 2);
                BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(116), float.PositiveInfinity);
            })).Message);

    [Fact]
    public void TruncatedGzipData_IsRefused()
    {
        var bytes = Valid();
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(bytes.AsSpan(0, bytes.Length - 10));
        var ex = Refused(ms.ToArray());
        Assert.Equal("NIfTI data: the file ends after 38 of 48 voxel bytes (at byte offset 390)", ex.Message);
    }

    [Fact]
    public void CorruptGzip_IsRefused()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Valid());
        var bytes = ms.ToArray();
        for (var i = 20; i < bytes.Length - 8; i++)
            bytes[i] ^= 0x5A;
        var ex = Assert.Throws<NiftiFormatException>(() => NiftiReader.Read(bytes));
        Assert.True(ex.Field is "gzip" or "sizeof_hdr" or "magic", ex.Message);
    }

    [Fact]
    public void ZeroScaleSlope_MeansNoScaling()
    {
        var image = NiftiReader.Read(With(Valid(), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(116), 7)));
        Assert.False(image.Header.HasScaling);
        Assert.Equal(5.0, image.ToDouble().Data[5]);
    }

    [Fact]
    public void NoQformNoSform_UsesVoxelSizesAlone()
    {
        var image = NiftiReader.Read(With(Valid(), b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(252), 0);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(254), 0);
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(80), 2);
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(84), 3);
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(88), 4);
        }));
        // NIfTI method 1: RAS = diag(pixdim) * index, then into LPS.
        var expected = Affine.FromColumns(new Vec3(-2, 0, 0), new Vec3(0, -3, 0), new Vec3(0, 0, 4), Vec3.Zero);
        Assert.True(expected.ApproximatelyEquals(image.Affine, 0), image.Affine.ToString());
    }
}
