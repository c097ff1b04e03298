using System.Security.Cryptography;
using System.Text;

namespace Zsad.Contracts;

/// <summary>Deterministic ids: the same source always yields the same id, so redelivered or replayed work can be
/// recognised downstream and output UIDs can be derived from it.</summary>
public static class VolumeIds
{
    /// <summary>Id of a series received over the network, keyed like series assembly: (called AE, study, series).</summary>
    public static string ForSeries(string calledAETitle, string studyInstanceUid, string seriesInstanceUid, int generation = 1)
        => Hash("series", calledAETitle.Trim(), studyInstanceUid, seriesInstanceUid) + (generation > 1 ? $"-g{generation}" : "");

    /// <summary>Id of an imported case; <paramref name="sourceKey"/> names the case (series UID, case id or file name).</summary>
    public static string ForImport(VolumeOrigin origin, string sourceKey)
        => Hash("import", origin.ToString(), sourceKey);

    /// <summary>A message id (and correlation id) derived from a volume id: the outbox uses it to publish once.</summary>
    public static Guid MessageIdFor(string volumeId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("message\n" + volumeId), hash);
        return new Guid(hash[..16]);
    }

    private static string Hash(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
