using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ingestion.Pipeline.State;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;

namespace Ingestion.Orchestration;

/// <summary>
/// The JSON of the run's Durable payloads and of the run input kept in the catalog, with metadata generated at build
/// time: the reflection path builds each type's contract at first use (property accessors emitted and jitted, converters
/// instantiated), which was most of System.Text.Json's share of a run's start-up (docs/benchmarks.md "After startup").
/// Same options as before, so the same JSON; a type not listed here still serializes through reflection.
/// </summary>
public static class OrchestrationJson
{
    /// <summary>The Durable data converter: the SDK's default options (<c>IncludeFields</c>) with the generated metadata.</summary>
    public static DataConverter Converter { get; } = new JsonDataConverter(new JsonSerializerOptions
    {
        IncludeFields = true,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(OrchestrationPayloadContext.Default, new DefaultJsonTypeInfoResolver()),
    });

    /// <summary><see cref="StateJson.Options"/> with the generated metadata (the run input in the catalog).</summary>
    public static JsonSerializerOptions State { get; } = CreateState();

    private static JsonSerializerOptions CreateState()
    {
        var options = new JsonSerializerOptions(StateJson.Options);
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(OrchestrationPayloadContext.Default, StateJson.Options.TypeInfoResolver);
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>The orchestrators' and activities' inputs, outputs and custom status (metadata only: the options come from the caller).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata, IncludeFields = true)]
[JsonSerializable(typeof(ExportRunInput))]
[JsonSerializable(typeof(ExportRunOutput))]
[JsonSerializable(typeof(ExportRunStatus))]
[JsonSerializable(typeof(FileBatchInput))]
[JsonSerializable(typeof(FileBatchOutput))]
[JsonSerializable(typeof(RunStep))]
[JsonSerializable(typeof(RunRecordChange))]
[JsonSerializable(typeof(KickOffResult))]
[JsonSerializable(typeof(PollRequest))]
[JsonSerializable(typeof(PollResult))]
[JsonSerializable(typeof(RetryFilesRequest))]
[JsonSerializable(typeof(RetryFilesResult))]
[JsonSerializable(typeof(FileRequest))]
[JsonSerializable(typeof(FileResultSummary))]
[JsonSerializable(typeof(FileFailure))]
[JsonSerializable(typeof(PublishResult))]
[JsonSerializable(typeof(ExportDeletion))]
[JsonSerializable(typeof(RunAnnouncement))]
[JsonSerializable(typeof(DateTimeOffset?))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
internal sealed partial class OrchestrationPayloadContext : JsonSerializerContext;
