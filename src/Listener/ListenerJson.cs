using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zsad.Listener;

/// <summary>One JSON shape for every file the Listener keeps on disk (markers, outbox, instance lists), readable by
/// operators: camelCase, enums as names.</summary>
internal static class ListenerJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
