namespace Zsad.Inference.Bundles;

/// <summary>A detector bundle that does not match its manifest (or has no valid manifest). The message names the
/// bundle folder and the first mismatch found.</summary>
public sealed class BundleException(string message) : Exception(message);
