using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Zsad.Dicom;

/// <summary>UID helpers: new UIDs as 2.25.&lt;128-bit decimal&gt; (PS3.5 B.2) and the well-known UIDs Zsad speaks.</summary>
public static class DicomUid
{
    public const string ImplementationClass = "2.25.171093719486335512948711409785613386021";
    public const string ImplementationVersionName = "ZSAD_0_1";

    // SOP classes
    public const string Verification = "1.2.840.10008.1.1";
    public const string MRImageStorage = "1.2.840.10008.5.1.4.1.1.4";
    public const string EnhancedMRImageStorage = "1.2.840.10008.5.1.4.1.1.4.1";
    public const string CTImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string EnhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.1";
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";
    public const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";
    public const string ParametricMapStorage = "1.2.840.10008.5.1.4.1.1.30";
    public const string RawDataStorage = "1.2.840.10008.5.1.4.1.1.66";
    public const string ApplicationContext = "1.2.840.10008.3.1.1.1";

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [Verification] = "Verification SOP Class",
        [MRImageStorage] = "MR Image Storage",
        [EnhancedMRImageStorage] = "Enhanced MR Image Storage",
        [CTImageStorage] = "CT Image Storage",
        [EnhancedCTImageStorage] = "Enhanced CT Image Storage",
        [SecondaryCaptureImageStorage] = "Secondary Capture Image Storage",
        [SegmentationStorage] = "Segmentation Storage",
        [ParametricMapStorage] = "Parametric Map Storage",
        [RawDataStorage] = "Raw Data Storage",
        [ApplicationContext] = "DICOM Application Context Name",
    };

    /// <summary>A human name for well-known SOP class, transfer syntax and context UIDs; null otherwise.</summary>
    public static string? NameOf(string uid)
        => Names.TryGetValue(uid, out var name) ? name : TransferSyntax.Lookup(uid)?.Name;

    /// <summary>A new globally unique UID from a random UUID.</summary>
    public static string Generate() => FromUuidBytes(Guid.NewGuid().ToByteArray(bigEndian: true));

    /// <summary>A UID derived deterministically from a name: the same inputs always give the same UID
    /// (used so that redelivered work yields the same output objects). A name-based UUID (RFC 9562 v8 from SHA-256).</summary>
    public static string FromName(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return FromUuidBytes(bytes);
    }

    private static string FromUuidBytes(byte[] bigEndian)
        => "2.25." + new BigInteger(bigEndian, isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>PS3.5 9.1: digits and dots, at most 64 characters, no empty component, no leading zero in a multi-digit component.</summary>
    public static bool IsValid(string uid)
    {
        if (uid.Length is 0 or > 64)
            return false;
        foreach (var component in uid.Split('.'))
        {
            if (component.Length == 0 || (component.Length > 1 && component[0] == '0'))
                return false;
            foreach (var c in component)
                if (c is < '0' or > '9')
                    return false;
        }
        return true;
    }
}
