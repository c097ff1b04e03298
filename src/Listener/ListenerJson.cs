using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zsad.Listener;

/// <summary>One JSON shape for every record Zsad keeps on disk (intake markers, outbox, instance lists, the host's
/// inference and report markers), readable by operators: camelCase, enums as names.</summary>
public static class ListenerJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
