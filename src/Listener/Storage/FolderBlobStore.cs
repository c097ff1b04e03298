using Zsad.Dicom.IO;
using System.Security.Cryptography;
using Zsad.Contracts;

namespace Zsad.Listener.Storage;

/// <summary>A blob store in a local (or shared) folder: one file per key, written durably.</summary>
public sealed class FolderBlobStore : IBlobStore
{
    private readonly bool _flushToDisk;

    public FolderBlobStore(string root, bool flushToDisk = true)
    {
        Root = Path.GetFullPath(root);
        _flushToDisk = flushToDisk;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathFor(string key)
    {
        var segments = key.Split('/');
        foreach (var s in segments)
        {
            // Checked segment by segment so no key can climb out of the root or name an absolute path.
            if (s.Length == 0 || s is "." or ".." || s.StartsWith('.') || s.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
                throw new ArgumentException($"blob key '{key}' is not a valid key (segments of letters, digits, '.', '-', '_')", nameof(key));
        }
        return Path.Combine([Root, .. segments]);
    }

    public Task<BlobReference> PutAsync(string key, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        DurableFile.Write(path, content, _flushToDisk);
        return Task.FromResult(new BlobReference(key, mediaType, content.Length, Convert.ToHexStringLower(SHA256.HashData(content.Span))));
    }

    public async Task<byte[]> GetAsync(BlobReference reference, CancellationToken cancellationToken = default)
    {
        var bytes = await File.ReadAllBytesAsync(PathFor(reference.Key), cancellationToken).ConfigureAwait(false);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(hash, reference.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"blob '{reference.Key}' has SHA-256 {hash}, the reference expects {reference.Sha256}");
        return bytes;
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(PathFor(key)));
}
