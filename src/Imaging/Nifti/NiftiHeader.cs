using System.Buffers.Binary;
using System.Text;

namespace Zsad.Imaging.Nifti;

/// <summary>The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header, widened to the NIfTI-2 types.
/// Parsing validates what the reader relies on and throws <see cref="NiftiFormatException"/> naming the field;
/// values nothing depends on (cal_min, intent, slice timing) are kept as read.</summary>
public sealed class NiftiHeader
{
    public const int Nifti1Size = 348;
    public const int Nifti2Size = 540;

    /// <summary>The datatypes Zsad reads and writes, with their sizes in bytes.</summary>
    private static readonly Dictionary<NiftiDataType, int> ScalarSizes = new()
    {
        [NiftiDataType.UInt8] = 1,
        [NiftiDataType.Int8] = 1,
        [NiftiDataType.Int16] = 2,
        [NiftiDataType.UInt16] = 2,
        [NiftiDataType.Int32] = 4,
        [NiftiDataType.UInt32] = 4,
        [NiftiDataType.Float32] = 4,
        [NiftiDataType.Int64] = 8,
        [NiftiDataType.UInt64] = 8,
        [NiftiDataType.Float64] = 8,
    };

    /// <summary>1 or 2.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Byte order the header was read in; Zsad always writes little endian.</summary>
    public bool IsBigEndian { get; set; }

    /// <summary>dim[0..7]: dim[0] is the number of dimensions.</summary>
    public long[] Dim { get; set; } = [3, 1, 1, 1, 1, 1, 1, 1];

    /// <summary>pixdim[0..7]: pixdim[0] is qfac (the sign of the third qform axis), pixdim[1..3] voxel sizes.</summary>
    public double[] PixDim { get; set; } = [1, 1, 1, 1, 0, 0, 0, 0];

    public NiftiDataType DataType { get; set; } = NiftiDataType.Float32;
    public int BitPix { get; set; } = 32;
    public long VoxOffset { get; set; }
    public double SclSlope { get; set; }
    public double SclInter { get; set; }
    public double CalMax { get; set; }
    public double CalMin { get; set; }
    public double SliceDuration { get; set; }
    public double TOffset { get; set; }
    public long SliceStart { get; set; }
    public long SliceEnd { get; set; }
    public int SliceCode { get; set; }
    public int XyztUnits { get; set; } = 2; // NIFTI_UNITS_MM
    public byte DimInfo { get; set; }
    public int IntentCode { get; set; }
    public double IntentP1 { get; set; }
    public double IntentP2 { get; set; }
    public double IntentP3 { get; set; }
    public string IntentName { get; set; } = "";
    public string Description { get; set; } = "";
    public string AuxFile { get; set; } = "";
    public NiftiXformCode QformCode { get; set; }
    public NiftiXformCode SformCode { get; set; }
    public double QuaternB { get; set; }
    public double QuaternC { get; set; }
    public double QuaternD { get; set; }
    public double QOffsetX { get; set; }
    public double QOffsetY { get; set; }
    public double QOffsetZ { get; set; }

    /// <summary>srow_x, srow_y, srow_z: the sform as a row-major 3x4 matrix (RAS output).</summary>
    public double[] SRow { get; set; } = new double[12];

    public int HeaderSize => Version == 2 ? Nifti2Size : Nifti1Size;

    /// <summary>Header plus the 4-byte extension flag: where data may start at the earliest.</summary>
    public int MinimumVoxOffset => HeaderSize + 4;

    public int SizeX => (int)Dim[1];
    public int SizeY => Dim[0] >= 2 ? (int)Dim[2] : 1;
    public int SizeZ => Dim[0] >= 3 ? (int)Dim[3] : 1;

    public int BytesPerVoxel => ScalarSizes[DataType];

    public long VoxelCount => (long)SizeX * SizeY * SizeZ;

    public long DataLength => VoxelCount * BytesPerVoxel;

    public static bool IsSupported(NiftiDataType type) => ScalarSizes.ContainsKey(type);

    public static int SizeOf(NiftiDataType type)
        => ScalarSizes.TryGetValue(type, out var size) ? size : throw new ArgumentException($"datatype {type} is not supported");

    /// <summary>True when scl_slope asks for scaling: NIfTI says a zero slope means none, and nibabel treats
    /// a non-finite one the same way.</summary>
    public bool HasScaling => SclSlope != 0 && double.IsFinite(SclSlope) && !(SclSlope == 1 && SclInter == 0);

    // ---- geometry ------------------------------------------------------------------------------------

    /// <summary>The affine the header means, in RAS: sform when sform_code &gt; 0, else qform when qform_code &gt; 0,
    /// else voxel sizes alone (NIfTI method 1; nibabel instead falls back to an Analyze-style centred affine).</summary>
    public Affine BestAffineRas()
    {
        if (SformCode > 0)
            return SformAffineRas();
        if (QformCode > 0)
            return QformAffineRas();
        return Affine.FromColumns(new Vec3(PositivePixDim(1), 0, 0), new Vec3(0, PositivePixDim(2), 0), new Vec3(0, 0, PositivePixDim(3)), Vec3.Zero);
    }

    public Affine SformAffineRas() => Affine.FromRowMajor(SRow);

    /// <summary>The qform (NIfTI method 2): a rotation from the quaternion (b, c, d), voxel sizes, qfac and offsets.</summary>
    public Affine QformAffineRas()
    {
        double b = QuaternB, c = QuaternC, d = QuaternD;
        // a is implied by a unit quaternion; float32 rounding can make 1 - (b²+c²+d²) slightly negative, which
        // means a = 0 (nibabel's rule; nifti1_io also zeroes a below 1e-7, a difference under float32 precision).
        var a2 = 1.0 - (b * b + c * c + d * d);
        double a;
        if (a2 < 0)
        {
            var n = Math.Sqrt(b * b + c * c + d * d);
            (a, b, c, d) = (0, b / n, c / n, d / n);
        }
        else
        {
            a = Math.Sqrt(a2);
        }
        var r = new[,]
        {
            { a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c) },
            { 2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b) },
            { 2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b },
        };
        var qfac = PixDim[0] < 0 ? -1.0 : 1.0;
        double dx = PositivePixDim(1), dy = PositivePixDim(2), dz = PositivePixDim(3) * qfac;
        return Affine.FromColumns(
            new Vec3(r[0, 0], r[1, 0], r[2, 0]) * dx,
            new Vec3(r[0, 1], r[1, 1], r[2, 1]) * dy,
            new Vec3(r[0, 2], r[1, 2], r[2, 2]) * dz,
            new Vec3(QOffsetX, QOffsetY, QOffsetZ));
    }

    // nifti1_io's rule: a voxel size that is not positive is taken as 1.
    private double PositivePixDim(int i) => PixDim[i] > 0 ? PixDim[i] : 1;

    /// <summary>Sets qform fields from an RAS affine: rotation as a quaternion, a reflection as qfac = -1. A sheared
    /// affine has no exact qform; its rotation is then orthogonalised and the sform carries the exact matrix.</summary>
    public void SetQform(Affine ras, NiftiXformCode code)
    {
        var spacing = ras.Spacing;
        var c0 = ras.Column(0) / spacing.X;
        var c1 = ras.Column(1) / spacing.Y;
        var c2 = ras.Column(2) / spacing.Z;
        var qfac = c0.Cross(c1).Dot(c2) < 0 ? -1.0 : 1.0;
        c2 *= qfac;
        // Gram-Schmidt keeps the quaternion meaningful when the columns are not exactly orthogonal.
        c0 = c0.Normalized();
        c1 = (c1 - c0 * c0.Dot(c1)).Normalized();
        c2 = c0.Cross(c1);
        double r00 = c0.X, r10 = c0.Y, r20 = c0.Z, r01 = c1.X, r11 = c1.Y, r21 = c1.Z, r02 = c2.X, r12 = c2.Y, r22 = c2.Z;
        double a, b, c, d;
        var trace = r00 + r11 + r22;
        if (trace > 0)
        {
            var s = Math.Sqrt(trace + 1.0) * 2;
            a = 0.25 * s;
            b = (r21 - r12) / s;
            c = (r02 - r20) / s;
            d = (r10 - r01) / s;
        }
        else if (r00 > r11 && r00 > r22)
        {
            var s = Math.Sqrt(1.0 + r00 - r11 - r22) * 2;
            a = (r21 - r12) / s;
            b = 0.25 * s;
            c = (r01 + r10) / s;
            d = (r02 + r20) / s;
        }
        else if (r11 > r22)
        {
            var s = Math.Sqrt(1.0 + r11 - r00 - r22) * 2;
            a = (r02 - r20) / s;
            b = (r01 + r10) / s;
            c = 0.25 * s;
            d = (r12 + r21) / s;
        }
        else
        {
            var s = Math.Sqrt(1.0 + r22 - r00 - r11) * 2;
            a = (r10 - r01) / s;
            b = (r02 + r20) / s;
            c = (r12 + r21) / s;
            d = 0.25 * s;
        }
        if (a < 0)
            (b, c, d) = (-b, -c, -d); // the header stores only b, c, d and implies a >= 0
        QuaternB = b;
        QuaternC = c;
        QuaternD = d;
        var origin = ras.Origin;
        (QOffsetX, QOffsetY, QOffsetZ) = (origin.X, origin.Y, origin.Z);
        PixDim[0] = qfac;
        PixDim[1] = spacing.X;
        PixDim[2] = spacing.Y;
        PixDim[3] = spacing.Z;
        QformCode = code;
    }

    public void SetSform(Affine ras, NiftiXformCode code)
    {
        var m = ras.ToArray();
        SRow = m[..12];
        SformCode = code;
    }

    // ---- parsing ---------------------------------------------------------------------------------------

    /// <summary>How many header bytes the file needs, from its first four (sizeof_hdr) — 348 or 540.</summary>
    public static int SizeFromPrefix(ReadOnlySpan<byte> first4)
    {
        if (first4.Length < 4)
            throw new NiftiFormatException("sizeof_hdr", $"the input holds {first4.Length} bytes; a NIfTI header needs at least {Nifti1Size}", 0);
        var le = BinaryPrimitives.ReadInt32LittleEndian(first4);
        var be = BinaryPrimitives.ReadInt32BigEndian(first4);
        if (le is Nifti1Size or Nifti2Size)
            return le;
        if (be is Nifti1Size or Nifti2Size)
            return be;
        throw new NiftiFormatException("sizeof_hdr", $"is {le} (byte-swapped {be}); a NIfTI-1 header says 348 and a NIfTI-2 header 540: not a NIfTI file", 0);
    }

    /// <summary>Parses and validates a header; <paramref name="bytes"/> must hold at least <see cref="SizeFromPrefix"/> bytes.</summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes)
    {
        var size = SizeFromPrefix(bytes);
        if (bytes.Length < size)
            throw new NiftiFormatException("sizeof_hdr", $"the header says {size} bytes but the input ends after {bytes.Length}", 0);
        var bigEndian = BinaryPrimitives.ReadInt32LittleEndian(bytes) != size;
        var r = new FieldReader(bytes[..size], bigEndian);
        var h = size == Nifti1Size ? ParseNifti1(ref r) : ParseNifti2(ref r);
        h.IsBigEndian = bigEndian;
        h.Validate();
        return h;
    }

    private static NiftiHeader ParseNifti1(ref FieldReader r)
    {
        var magic = r.Bytes(344, 4);
        if (!magic.SequenceEqual("n+1\0"u8))
        {
            if (magic.SequenceEqual("ni1\0"u8))
                throw new NiftiFormatException("magic", "'ni1' marks a separate .hdr/.img pair, which Zsad does not read; convert it to a single .nii", 344);
            throw new NiftiFormatException("magic", $"is '{Printable(magic)}', not 'n+1' (an Analyze 7.5 header?)", 344);
        }
        var h = new NiftiHeader { Version = 1 };
        for (var i = 0; i < 8; i++)
            h.Dim[i] = r.Int16(40 + 2 * i);
        h.IntentP1 = r.Single(56);
        h.IntentP2 = r.Single(60);
        h.IntentP3 = r.Single(64);
        h.IntentCode = r.Int16(68);
        h.DataType = (NiftiDataType)r.Int16(70);
        h.BitPix = r.Int16(72);
        h.SliceStart = r.Int16(74);
        for (var i = 0; i < 8; i++)
            h.PixDim[i] = r.Single(76 + 4 * i);
        var voxOffset = r.Single(108);
        if (!float.IsFinite(voxOffset) || voxOffset < 0 || voxOffset != MathF.Floor(voxOffset) || voxOffset > int.MaxValue)
            throw new NiftiFormatException("vox_offset", $"is {voxOffset}; it must be a whole number of bytes", 108);
        h.VoxOffset = (long)voxOffset;
        h.SclSlope = r.Single(112);
        h.SclInter = r.Single(116);
        h.SliceEnd = r.Int16(120);
        h.SliceCode = r.Byte(122);
        h.XyztUnits = r.Byte(123);
        h.CalMax = r.Single(124);
        h.CalMin = r.Single(128);
        h.SliceDuration = r.Single(132);
        h.TOffset = r.Single(136);
        h.Description = r.Text(148, 80);
        h.AuxFile = r.Text(228, 24);
        h.QformCode = (NiftiXformCode)r.Int16(252);
        h.SformCode = (NiftiXformCode)r.Int16(254);
        h.QuaternB = r.Single(256);
        h.QuaternC = r.Single(260);
        h.QuaternD = r.Single(264);
        h.QOffsetX = r.Single(268);
        h.QOffsetY = r.Single(272);
        h.QOffsetZ = r.Single(276);
        for (var i = 0; i < 12; i++)
            h.SRow[i] = r.Single(280 + 4 * i);
        h.IntentName = r.Text(328, 16);
        h.DimInfo = r.Byte(39);
        return h;
    }

    private static NiftiHeader ParseNifti2(ref FieldReader r)
    {
        var magic = r.Bytes(4, 8);
        if (!magic[..4].SequenceEqual("n+2\0"u8))
        {
            if (magic[..4].SequenceEqual("ni2\0"u8))
                throw new NiftiFormatException("magic", "'ni2' marks a separate .hdr/.img pair, which Zsad does not read; convert it to a single .nii", 4);
            throw new NiftiFormatException("magic", $"is '{Printable(magic[..4])}', not 'n+2'", 4);
        }
        if (!magic[4..].SequenceEqual("\r\n\u001a\n"u8))
            throw new NiftiFormatException("magic", "the bytes after 'n+2' are not \\r\\n\\x1a\\n: the file was altered by a text-mode transfer", 8);
        var h = new NiftiHeader { Version = 2 };
        h.DataType = (NiftiDataType)r.Int16(12);
        h.BitPix = r.Int16(14);
        for (var i = 0; i < 8; i++)
            h.Dim[i] = r.Int64(16 + 8 * i);
        h.IntentP1 = r.Double(80);
        h.IntentP2 = r.Double(88);
        h.IntentP3 = r.Double(96);
        for (var i = 0; i < 8; i++)
            h.PixDim[i] = r.Double(104 + 8 * i);
        h.VoxOffset = r.Int64(168);
        if (h.VoxOffset < 0)
            throw new NiftiFormatException("vox_offset", $"is {h.VoxOffset}; it cannot be negative", 168);
        h.SclSlope = r.Double(176);
        h.SclInter = r.Double(184);
        h.CalMax = r.Double(192);
        h.CalMin = r.Double(200);
        h.SliceDuration = r.Double(208);
        h.TOffset = r.Double(216);
        h.SliceStart = r.Int64(224);
        h.SliceEnd = r.Int64(232);
        h.Description = r.Text(240, 80);
        h.AuxFile = r.Text(320, 24);
        h.QformCode = (NiftiXformCode)r.Int32(344);
        h.SformCode = (NiftiXformCode)r.Int32(348);
        h.QuaternB = r.Double(352);
        h.QuaternC = r.Double(360);
        h.QuaternD = r.Double(368);
        h.QOffsetX = r.Double(376);
        h.QOffsetY = r.Double(384);
        h.QOffsetZ = r.Double(392);
        for (var i = 0; i < 12; i++)
            h.SRow[i] = r.Double(400 + 8 * i);
        h.SliceCode = r.Int32(496);
        h.XyztUnits = r.Int32(500);
        h.IntentCode = r.Int32(504);
        h.IntentName = r.Text(508, 16);
        h.DimInfo = r.Byte(524);
        return h;
    }

    // Offsets of fields that validation names, per version.
    private long DimOffset(int i) => Version == 2 ? 16 + 8 * i : 40 + 2 * i;
    private long PixDimOffset(int i) => Version == 2 ? 104 + 8 * i : 76 + 4 * i;

    /// <summary>Checks what reading the data relies on; the reader and writer both call it.</summary>
    public void Validate()
    {
        if (Dim[0] is < 1 or > 7)
            throw new NiftiFormatException("dim[0]", $"is {Dim[0]}; the number of dimensions must be 1 to 7", DimOffset(0));
        for (var i = 1; i <= Dim[0]; i++)
            if (Dim[i] < 1)
                throw new NiftiFormatException($"dim[{i}]", $"is {Dim[i]}; every used dimension must be at least 1", DimOffset(i));
        for (var i = 4; i <= Dim[0]; i++)
            if (Dim[i] > 1)
                throw new NiftiFormatException($"dim[{i}]", $"is {Dim[i]}: a {Dim[0]}D image with more than one 3D volume; Zsad reads 3D volumes only", DimOffset(i));
        long count = 1;
        for (var i = 1; i <= Math.Min(3, Dim[0]); i++)
        {
            if (Dim[i] > Array.MaxLength || count > Array.MaxLength / Dim[i])
                throw new NiftiFormatException($"dim[{i}]", $"dimensions {string.Join('x', Dim[1..(int)(Math.Min(3, Dim[0]) + 1)])} hold more voxels than a volume can ({Array.MaxLength})", DimOffset(i));
            count *= Dim[i];
        }
        if (!IsSupported(DataType))
            throw new NiftiFormatException("datatype", $"{(short)DataType} ({(Enum.IsDefined(DataType) ? DataType.ToString() : "unknown")}) is not a scalar type Zsad reads (uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64)", Version == 2 ? 12 : 70);
        if (BitPix != 8 * BytesPerVoxel)
            throw new NiftiFormatException("bitpix", $"is {BitPix} but datatype {DataType} has {8 * BytesPerVoxel} bits", Version == 2 ? 14 : 72);
        if (VoxOffset != 0 && VoxOffset < MinimumVoxOffset)
            throw new NiftiFormatException("vox_offset", $"is {VoxOffset}; data cannot start inside the {HeaderSize}-byte header and its 4-byte extension flag", Version == 2 ? 168 : 108);
        for (var i = 0; i <= 3; i++)
            if (!double.IsFinite(PixDim[i]))
                throw new NiftiFormatException($"pixdim[{i}]", $"is {PixDim[i]}", PixDimOffset(i));
        if (HasScaling && !double.IsFinite(SclInter))
            throw new NiftiFormatException("scl_inter", $"is {SclInter} while scl_slope {SclSlope} asks for scaling", Version == 2 ? 184 : 116);
        if (SformCode > 0)
        {
            foreach (var v in SRow)
                if (!double.IsFinite(v))
                    throw new NiftiFormatException("srow", "holds a non-finite value while sform_code is set", Version == 2 ? 400 : 280);
            if (SformAffineRas().Determinant == 0)
                throw new NiftiFormatException("srow", "the sform is singular while sform_code is set", Version == 2 ? 400 : 280);
        }
        if (QformCode > 0 && !(double.IsFinite(QuaternB) && double.IsFinite(QuaternC) && double.IsFinite(QuaternD)
            && double.IsFinite(QOffsetX) && double.IsFinite(QOffsetY) && double.IsFinite(QOffsetZ)))
            throw new NiftiFormatException("quatern", "the qform holds a non-finite value while qform_code is set", Version == 2 ? 352 : 256);
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes)
            sb.Append(b is >= 0x20 and < 0x7F ? (char)b : b == 0 ? "\\0" : $"\\x{b:x2}");
        return sb.ToString();
    }

    // ---- writing -------------------------------------------------------------------------------------

    /// <summary>The header in little endian, <see cref="HeaderSize"/> bytes followed by a zero extension flag.</summary>
    public byte[] ToBytes()
    {
        Validate();
        var bytes = new byte[MinimumVoxOffset];
        var w = new FieldWriter(bytes);
        if (Version == 1)
            WriteNifti1(ref w);
        else
            WriteNifti2(ref w);
        return bytes;
    }

    private void WriteNifti1(ref FieldWriter w)
    {
        foreach (var (i, v) in Dim.Index())
        {
            if (v > short.MaxValue)
                throw new InvalidOperationException($"dim[{i}] = {v} does not fit NIfTI-1 (at most 32767): write NIfTI-2");
        }
        w.Int32(0, Nifti1Size);
        w.Byte(38, (byte)'r'); // 'regular', which some Analyze-era readers still check
        w.Byte(39, DimInfo);
        for (var i = 0; i < 8; i++)
            w.Int16(40 + 2 * i, (short)Dim[i]);
        w.Single(56, IntentP1);
        w.Single(60, IntentP2);
        w.Single(64, IntentP3);
        w.Int16(68, (short)IntentCode);
        w.Int16(70, (short)DataType);
        w.Int16(72, (short)BitPix);
        w.Int16(74, (short)SliceStart);
        for (var i = 0; i < 8; i++)
            w.Single(76 + 4 * i, PixDim[i]);
        w.Single(108, VoxOffset);
        w.Single(112, SclSlope);
        w.Single(116, SclInter);
        w.Int16(120, (short)SliceEnd);
        w.Byte(122, (byte)SliceCode);
        w.Byte(123, (byte)XyztUnits);
        w.Single(124, CalMax);
        w.Single(128, CalMin);
        w.Single(132, SliceDuration);
        w.Single(136, TOffset);
        w.Text(148, 80, Description);
        w.Text(228, 24, AuxFile);
        w.Int16(252, (short)QformCode);
        w.Int16(254, (short)SformCode);
        w.Single(256, QuaternB);
        w.Single(260, QuaternC);
        w.Single(264, QuaternD);
        w.Single(268, QOffsetX);
        w.Single(272, QOffsetY);
        w.Single(276, QOffsetZ);
        for (var i = 0; i < 12; i++)
            w.Single(280 + 4 * i, SRow[i]);
        w.Text(328, 16, IntentName);
        w.Bytes(344, "n+1\0"u8);
    }

    private void WriteNifti2(ref FieldWriter w)
    {
        w.Int32(0, Nifti2Size);
        w.Bytes(4, "n+2\0\r\n\u001a\n"u8);
        w.Int16(12, (short)DataType);
        w.Int16(14, (short)BitPix);
        for (var i = 0; i < 8; i++)
            w.Int64(16 + 8 * i, Dim[i]);
        w.Double(80, IntentP1);
        w.Double(88, IntentP2);
        w.Double(96, IntentP3);
        for (var i = 0; i < 8; i++)
            w.Double(104 + 8 * i, PixDim[i]);
        w.Int64(168, VoxOffset);
        w.Double(176, SclSlope);
        w.Double(184, SclInter);
        w.Double(192, CalMax);
        w.Double(200, CalMin);
        w.Double(208, SliceDuration);
        w.Double(216, TOffset);
        w.Int64(224, SliceStart);
        w.Int64(232, SliceEnd);
        w.Text(240, 80, Description);
        w.Text(320, 24, AuxFile);
        w.Int32(344, (int)QformCode);
        w.Int32(348, (int)SformCode);
        w.Double(352, QuaternB);
        w.Double(360, QuaternC);
        w.Double(368, QuaternD);
        w.Double(376, QOffsetX);
        w.Double(384, QOffsetY);
        w.Double(392, QOffsetZ);
        for (var i = 0; i < 12; i++)
            w.Double(400 + 8 * i, SRow[i]);
        w.Int32(496, SliceCode);
        w.Int32(500, XyztUnits);
        w.Int32(504, IntentCode);
        w.Text(508, 16, IntentName);
        w.Byte(524, DimInfo);
    }

    /// <summary>Reads fixed-offset fields in either byte order without copying the header.</summary>
    private readonly ref struct FieldReader(ReadOnlySpan<byte> span, bool bigEndian)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private readonly bool _bigEndian = bigEndian;

        public byte Byte(int offset) => _span[offset];
        public ReadOnlySpan<byte> Bytes(int offset, int length) => _span.Slice(offset, length);
        public short Int16(int offset) => _bigEndian ? BinaryPrimitives.ReadInt16BigEndian(_span[offset..]) : BinaryPrimitives.ReadInt16LittleEndian(_span[offset..]);
        public int Int32(int offset) => _bigEndian ? BinaryPrimitives.ReadInt32BigEndian(_span[offset..]) : BinaryPrimitives.ReadInt32LittleEndian(_span[offset..]);
        public long Int64(int offset) => _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(_span[offset..]) : BinaryPrimitives.ReadInt64LittleEndian(_span[offset..]);
        public float Single(int offset) => _bigEndian ? BinaryPrimitives.ReadSingleBigEndian(_span[offset..]) : BinaryPrimitives.ReadSingleLittleEndian(_span[offset..]);
        public double Double(int offset) => _bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(_span[offset..]) : BinaryPrimitives.ReadDoubleLittleEndian(_span[offset..]);

        /// <summary>A NUL-terminated Latin-1 field (descrip, aux_file, intent_name).</summary>
        public string Text(int offset, int length)
        {
            var field = _span.Slice(offset, length);
            var end = field.IndexOf((byte)0);
            return Encoding.Latin1.GetString(end >= 0 ? field[..end] : field);
        }
    }

    private readonly ref struct FieldWriter(Span<byte> span)
    {
        private readonly Span<byte> _span = span;

        public void Byte(int offset, byte value) => _span[offset] = value;
        public void Bytes(int offset, ReadOnlySpan<byte> value) => value.CopyTo(_span[offset..]);
        public void Int16(int offset, short value) => BinaryPrimitives.WriteInt16LittleEndian(_span[offset..], value);
        public void Int32(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_span[offset..], value);
        public void Int64(int offset, long value) => BinaryPrimitives.WriteInt64LittleEndian(_span[offset..], value);
        public void Single(int offset, double value) => BinaryPrimitives.WriteSingleLittleEndian(_span[offset..], (float)value);
        public void Double(int offset, double value) => BinaryPrimitives.WriteDoubleLittleEndian(_span[offset..], value);

        public void Text(int offset, int length, string value)
        {
            var bytes = Encoding.Latin1.GetBytes(value);
            bytes.AsSpan(0, Math.Min(bytes.Length, length - 1)).CopyTo(_span.Slice(offset, length)); // keep a terminating NUL
        }
    }
}
