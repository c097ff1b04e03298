using Zsad.Contracts;

namespace Zsad.Listener.Storage;

/// <summary>Claim-check storage for payloads too large for a message. Keys are '/'-separated names of letters, digits,
/// '.', '-' and '_'; writing the same key again replaces the blob (callers derive keys deterministically, so a retry
/// rewrites the same bytes).</summary>
public interface IBlobStore
{
    Task<BlobReference> PutAsync(string key, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken = default);

    /// <summary>The blob's bytes; throws <see cref="InvalidDataException"/> when they no longer match the reference's hash.</summary>
    Task<byte[]> GetAsync(BlobReference reference, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);
}
