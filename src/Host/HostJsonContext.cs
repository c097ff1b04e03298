using System.Text.Json;
using System.Text.Json.Serialization;
using Zsad.Host.Observability;
using Zsad.Host.Pipeline;

namespace Zsad.Host;

/// <summary>The host's records (report result.json) and the /health body, with the options of
/// <see cref="Zsad.Listener.ListenerJsonContext"/>: camelCase, indented, enums as names.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ReportOutcome))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(Zsad.Host.Replay.ReplayManifest))]
internal sealed partial class HostJsonContext : JsonSerializerContext;
