using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
            // Build-time metadata for what a run writes per file; any other type through reflection, as before.
            TypeInfoResolver = JsonTypeInfoResolver.Combine(StateJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    public static JsonObject ToBody<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!.AsObject();

    public static T FromBody<T>(JsonObject body) =>
        body.Deserialize<T>(Options) ?? throw new InvalidDataException($"State document is not a {typeof(T).Name}.");
}

/// <summary>Build-time JSON metadata of <see cref="StateJson"/>'s per-file documents (metadata only: the options apply).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(FileResult))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
