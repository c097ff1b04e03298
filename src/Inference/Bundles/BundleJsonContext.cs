using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zsad.Inference.Bundles;

/// <summary>manifest.json as read and written by this build, source-generated so a trimmed publish needs no
/// reflection: comments allowed when reading (hand-edited manifests), unknown keys skipped, written indented without
/// null members.</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false,
    WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DetectorManifest))]
public sealed partial class BundleJsonContext : JsonSerializerContext;
