using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zsad.Host.Pipeline;

/// <summary>The JSON shape of the host's files on disk (markers, results, instance lists): camelCase, enums by name,
/// the same as the Listener writes, so the instance lists it stores read back here.</summary>
internal static class HostJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
