using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Zsad.Imaging.Nifti;

/// <summary>Reads single-file NIfTI-1 and NIfTI-2 images (.nii, .nii.gz) in either byte order. The header is checked
/// before any voxel buffer is allocated, against the bytes the file can hold, so a hostile header costs nothing.</summary>
public static class NiftiReader
{
    // Deflate cannot expand data more than about 1032:1, so a .nii.gz of n bytes holds at most this much.
    private const long MaxDeflateRatio = 1032;

    public static NiftiImage Read(string path, NiftiReadOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, options);
    }

    public static NiftiImage Read(byte[] bytes, NiftiReadOptions? options = null)
        => Read(new MemoryStream(bytes, writable: false), options);

    public static NiftiImage Read(Stream stream, NiftiReadOptions? options = null)
    {
        options ??= NiftiReadOptions.Default;
        var gzip = options.Gzip ?? IsGzip(stream);
        long? limit = stream.CanSeek ? stream.Length - stream.Position : null;
        if (!gzip)
            return ReadUncompressed(stream, options, limit);
        using var inflate = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            return ReadUncompressed(inflate, options, limit is { } n ? n * MaxDeflateRatio + 4096 : null);
        }
        catch (InvalidDataException ex)
        {
            throw new NiftiFormatException("gzip", $"the compressed stream is corrupt: {ex.Message}", -1, ex);
        }
    }

    /// <summary>Only the header, e.g. to route a file without reading its voxels.</summary>
    public static NiftiHeader ReadHeader(string path, NiftiReadOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var gzip = (options ?? NiftiReadOptions.Default).Gzip ?? IsGzip(stream);
        using var source = gzip ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : (Stream)stream;
        return ReadHeaderFrom(source);
    }

    private static bool IsGzip(Stream stream)
    {
        if (!stream.CanSeek)
            throw new ArgumentException("the stream cannot seek: set NiftiReadOptions.Gzip to say whether it is compressed", nameof(stream));
        var start = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        var n = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = start;
        return n == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static NiftiHeader ReadHeaderFrom(Stream stream)
    {
        var buffer = new byte[NiftiHeader.Nifti2Size];
        var got = stream.ReadAtLeast(buffer.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        var size = NiftiHeader.SizeFromPrefix(buffer.AsSpan(0, got));
        got += stream.ReadAtLeast(buffer.AsSpan(4, size - 4), size - 4, throwOnEndOfStream: false);
        if (got < size)
            throw new NiftiFormatException("sizeof_hdr", $"the file ends after {got} bytes, inside the {size}-byte header", got);
        return NiftiHeader.Parse(buffer.AsSpan(0, size));
    }

    /// <param name="available">Bytes the stream can still deliver at most (null when unknown).</param>
    private static NiftiImage ReadUncompressed(Stream stream, NiftiReadOptions options, long? available)
    {
        var header = ReadHeaderFrom(stream);
        long position = header.HeaderSize;
        var voxOffset = header.VoxOffset == 0 ? header.MinimumVoxOffset : header.VoxOffset;
        var dataLength = header.DataLength;
        var shape = $"{header.SizeX}x{header.SizeY}x{header.SizeZ} {header.DataType}";
        if (available is { } total && voxOffset + dataLength > total)
            throw new NiftiFormatException("dim", $"{shape} voxels need {dataLength} bytes from vox_offset {voxOffset}, more than the file holds ({total} bytes{(stream is GZipStream ? " once inflated at most" : "")})", header.Version == 2 ? 16 : 40);
        if (dataLength > options.MaxDataBytes)
            throw new NiftiFormatException("dim", $"{shape} voxels need {dataLength} bytes, above the configured limit of {options.MaxDataBytes}", header.Version == 2 ? 16 : 40);

        // Extensions (and any gap) between the header and vox_offset are not needed for a volume.
        var skip = voxOffset - position;
        if (skip > 0)
        {
            var scratch = new byte[(int)Math.Min(skip, 1 << 16)];
            while (skip > 0)
            {
                var n = stream.Read(scratch, 0, (int)Math.Min(skip, scratch.Length));
                if (n == 0)
                    throw new NiftiFormatException("vox_offset", $"is {voxOffset} but the file ends at byte {voxOffset - skip}", header.Version == 2 ? 168 : 108);
                skip -= n;
            }
        }

        var ras = header.BestAffineRas();
        var affine = PatientFrame.RasToLps(ras);
        Volume volume = header.DataType switch
        {
            NiftiDataType.UInt8 => ReadVoxels<byte>(stream, header, affine, voxOffset),
            NiftiDataType.Int8 => ReadVoxels<sbyte>(stream, header, affine, voxOffset),
            NiftiDataType.Int16 => ReadVoxels<short>(stream, header, affine, voxOffset),
            NiftiDataType.UInt16 => ReadVoxels<ushort>(stream, header, affine, voxOffset),
            NiftiDataType.Int32 => ReadVoxels<int>(stream, header, affine, voxOffset),
            NiftiDataType.UInt32 => ReadVoxels<uint>(stream, header, affine, voxOffset),
            NiftiDataType.Int64 => ReadVoxels<long>(stream, header, affine, voxOffset),
            NiftiDataType.UInt64 => ReadVoxels<ulong>(stream, header, affine, voxOffset),
            NiftiDataType.Float32 => ReadVoxels<float>(stream, header, affine, voxOffset),
            NiftiDataType.Float64 => ReadVoxels<double>(stream, header, affine, voxOffset),
            _ => throw new NiftiFormatException("datatype", $"{header.DataType} is not supported"),
        };
        return new NiftiImage(header, volume);
    }

    private static Volume<T> ReadVoxels<T>(Stream stream, NiftiHeader header, Affine affine, long voxOffset) where T : unmanaged, INumber<T>
    {
        var volume = new Volume<T>(header.SizeX, header.SizeY, header.SizeZ, affine);
        var data = volume.Data;
        var size = Marshal.SizeOf<T>();
        // Chunks keep each byte span under 2 GiB, the limit of a Span<byte> over a large float/double array.
        var chunk = (1 << 28) / size;
        long read = 0;
        for (var start = 0; start < data.Length; start += chunk)
        {
            var bytes = MemoryMarshal.AsBytes(data.AsSpan(start, Math.Min(chunk, data.Length - start)));
            var n = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            read += n;
            if (n < bytes.Length)
                throw new NiftiFormatException("data", $"the file ends after {read} of {header.DataLength} voxel bytes", voxOffset + read);
        }
        if (header.IsBigEndian != !BitConverter.IsLittleEndian && size > 1)
            SwapBytes(data.AsSpan());
        return volume;
    }

    private static void SwapBytes<T>(Span<T> data) where T : unmanaged
    {
        switch (Marshal.SizeOf<T>())
        {
            case 2:
                var s = MemoryMarshal.Cast<T, ushort>(data);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<T, uint>(data);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<T, ulong>(data);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
    }
}
