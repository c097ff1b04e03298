using System.Text.Json.Serialization;

namespace Zsad.Reporter.Export;

/// <summary>Dead-letter records on disk: camelCase, indented (source-generated for trimmed publishes).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DeadLetterRecord))]
internal sealed partial class DeadLetterJsonContext : JsonSerializerContext;
