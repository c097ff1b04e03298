using System.Security.Cryptography;
using System.Text;

namespace Zsad.Listener.Intake;

/// <summary>What makes instances one series: the same SeriesInstanceUID sent to a different AE title (a different
/// department or workflow) is processed separately.</summary>
public sealed record SeriesKey(string CalledAETitle, string StudyInstanceUid, string SeriesInstanceUid)
{
    /// <summary>Folder name in the intake store: the series UID for operators, plus a hash of the whole key so
    /// two keys never share a folder. UIDs are digits and dots, so the name is safe.</summary>
    public string DirectoryName
    {
        get
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{CalledAETitle.Trim()}\n{StudyInstanceUid}\n{SeriesInstanceUid}"));
            return $"{SeriesInstanceUid}_{Convert.ToHexStringLower(hash.AsSpan(0, 6))}";
        }
    }
}
