using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ingestion.Pipeline.State;

/// <summary>The JSON shape of every orchestration document and status view: camelCase, enums as names.</summary>
public static class StateJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static JsonObject ToBody<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!.AsObject();

    public static T FromBody<T>(JsonObject body) =>
        body.Deserialize<T>(Options) ?? throw new InvalidDataException($"State document is not a {typeof(T).Name}.");
}
