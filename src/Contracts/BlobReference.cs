namespace Zsad.Contracts;

/// <summary>A claim check: where a large payload (a volume, a map, an instance list) lies in the blob store. Messages
/// carry this instead of the bytes so they stay small on the broker; the hash lets a consumer refuse a blob that was
/// replaced after the message was sent.</summary>
/// <param name="Key">Store-relative key, '/'-separated (e.g. "volumes/ab12.nii.gz").</param>
/// <param name="MediaType">e.g. "application/x-nifti+gzip", "application/json".</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the stored bytes.</param>
public sealed record BlobReference(string Key, string MediaType, long Length, string Sha256);
