using System.Text.Json;
using System.Text.Json.Serialization;
using Zsad.Contracts;
using Zsad.Listener.Intake;
using Zsad.Listener.Outbox;

namespace Zsad.Listener;

/// <summary>One JSON shape for every record Zsad keeps on disk (intake markers, outbox, instance lists, the host's
/// inference and report markers), readable by operators: camelCase, enums as names. Source-generated, so a trimmed
/// publish reads and writes them without reflection. The host's own records use the same options through its own
/// context (a generated context cannot list types of an assembly that references this one).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SeriesKey))]
[JsonSerializable(typeof(SeriesOutcome))]
[JsonSerializable(typeof(OutboxEntry))]
[JsonSerializable(typeof(SourceInstanceList))]
[JsonSerializable(typeof(VolumeReady))]
[JsonSerializable(typeof(AnomalyMapReady))]
public sealed partial class ListenerJsonContext : JsonSerializerContext;
