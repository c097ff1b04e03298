using Zsad.Dicom.IO;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Zsad.Imaging.Nifti;

/// <summary>Writes a volume as a single-file NIfTI-1 or NIfTI-2 image (little endian), gzip-compressed for .gz names.
/// The stored type is the volume's element type; the LPS affine goes to both sform and qform as RAS.</summary>
public static class NiftiWriter
{
    public static void Write(Volume volume, string path, NiftiWriteOptions? options = null)
    {
        options ??= NiftiWriteOptions.Default;
        var gzip = options.Gzip ?? path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        DurableFile.Write(path, s => Write(volume, s, options with { Gzip = gzip }));
    }

    public static void Write(Volume volume, Stream stream, NiftiWriteOptions? options = null)
    {
        options ??= NiftiWriteOptions.Default;
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("NiftiWriter writes the machine's byte order and assumes little endian");
        var header = CreateHeader(volume, options);
        if (options.Gzip == true)
        {
            using var gz = new GZipStream(stream, options.CompressionLevel, leaveOpen: true);
            WriteBody(volume, header, gz);
        }
        else
        {
            WriteBody(volume, header, stream);
        }
    }

    public static byte[] ToBytes(Volume volume, NiftiWriteOptions? options = null)
    {
        using var ms = new MemoryStream();
        Write(volume, ms, options);
        return ms.ToArray();
    }

    /// <summary>The header <see cref="Write(Volume, Stream, NiftiWriteOptions?)"/> writes for this volume.</summary>
    public static NiftiHeader CreateHeader(Volume volume, NiftiWriteOptions options)
    {
        if (options.Version is not (1 or 2))
            throw new ArgumentException($"NIfTI version {options.Version} does not exist; use 1 or 2", nameof(options));
        var type = DataTypeOf(volume.ElementType);
        var header = new NiftiHeader
        {
            Version = options.Version,
            DataType = type,
            BitPix = 8 * NiftiHeader.SizeOf(type),
            Dim = [3, volume.SizeX, volume.SizeY, volume.SizeZ, 1, 1, 1, 1],
            SclSlope = options.SclSlope,
            SclInter = options.SclInter,
            Description = options.Description,
            XyztUnits = 2 | 8, // millimetres and seconds
        };
        header.VoxOffset = header.MinimumVoxOffset;
        var ras = PatientFrame.LpsToRas(volume.Affine);
        var spacing = volume.Spacing;
        header.PixDim = [1, spacing.X, spacing.Y, spacing.Z, 1, 1, 1, 1];
        // The qform is always filled in, as nibabel and dcm2niix do, even when its code says it is unused.
        header.SetQform(ras, options.QformCode);
        if (options.SformCode != NiftiXformCode.Unknown)
            header.SetSform(ras, options.SformCode);
        return header;
    }

    public static NiftiDataType DataTypeOf(Type elementType)
    {
        if (elementType == typeof(byte)) return NiftiDataType.UInt8;
        if (elementType == typeof(sbyte)) return NiftiDataType.Int8;
        if (elementType == typeof(short)) return NiftiDataType.Int16;
        if (elementType == typeof(ushort)) return NiftiDataType.UInt16;
        if (elementType == typeof(int)) return NiftiDataType.Int32;
        if (elementType == typeof(uint)) return NiftiDataType.UInt32;
        if (elementType == typeof(long)) return NiftiDataType.Int64;
        if (elementType == typeof(ulong)) return NiftiDataType.UInt64;
        if (elementType == typeof(float)) return NiftiDataType.Float32;
        if (elementType == typeof(double)) return NiftiDataType.Float64;
        throw new ArgumentException($"NIfTI has no datatype for {elementType.Name}");
    }

    private static void WriteBody(Volume volume, NiftiHeader header, Stream output)
    {
        output.Write(header.ToBytes());
        switch (volume)
        {
            case Volume<byte> v: WriteVoxels(v, output); break;
            case Volume<sbyte> v: WriteVoxels(v, output); break;
            case Volume<short> v: WriteVoxels(v, output); break;
            case Volume<ushort> v: WriteVoxels(v, output); break;
            case Volume<int> v: WriteVoxels(v, output); break;
            case Volume<uint> v: WriteVoxels(v, output); break;
            case Volume<long> v: WriteVoxels(v, output); break;
            case Volume<ulong> v: WriteVoxels(v, output); break;
            case Volume<float> v: WriteVoxels(v, output); break;
            case Volume<double> v: WriteVoxels(v, output); break;
            default: throw new ArgumentException($"NIfTI has no datatype for {volume.ElementType.Name}");
        }
    }

    private static void WriteVoxels<T>(Volume<T> volume, Stream output) where T : unmanaged, INumber<T>
    {
        var chunk = (1 << 24) / Marshal.SizeOf<T>();
        var data = volume.Data;
        for (var start = 0; start < data.Length; start += chunk)
            output.Write(MemoryMarshal.AsBytes(data.AsSpan(start, Math.Min(chunk, data.Length - start))));
    }
}
