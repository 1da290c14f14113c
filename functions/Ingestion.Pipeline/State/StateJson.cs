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
            // Build-time metadata for what a run writes; any other type through reflection, as before.
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

/// <summary>Build-time JSON metadata of what a run writes with <see cref="StateJson"/> (metadata only: the options apply):
/// each file's result, and the fan-in's integrity result, pending rows, report and manifest.</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(FileResult))]
[JsonSerializable(typeof(Publishing.IntegrityResult))]
[JsonSerializable(typeof(Publishing.PendingRows))]
[JsonSerializable(typeof(Publishing.RunReport))]
[JsonSerializable(typeof(Publishing.RunManifest))]
[JsonSerializable(typeof(List<UnmappedCode>))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
