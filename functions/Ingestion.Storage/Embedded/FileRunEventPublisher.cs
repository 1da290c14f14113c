using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Ingestion.Storage.Embedded;

/// <summary>
/// The embedded announcement for consumers on the same machine (Service Bus in Azure): each event is appended to a file
/// as one JSON line. Delivery is at least once, as on Service Bus: a step re-run after a crash appends the same event
/// again with the same <see cref="RunEvent.EventId"/>, which is what consumers deduplicate on. Several processes may
/// append to one file (one write per line, append mode).
/// </summary>
public sealed class FileRunEventPublisher(FileRunEventPublisherOptions options, ILogger<FileRunEventPublisher> logger) : IRunEventPublisher
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public async Task<RunEventDelivery> PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        var path = options.FilePath ?? throw new InvalidOperationException($"{FileRunEventPublisherOptions.SectionName}:FilePath is not set.");
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(runEvent, Json) + "\n");
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
            await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
            await file.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Run event {EventId} was not written to the event file: {Error}", runEvent.EventId, e.GetType().Name);
            return RunEventDelivery.NotSent("event-file-unwritable", e.Message);
        }
        logger.LogInformation("Run event {EventType} for run {RunId} written ({EventId})", runEvent.Type, runEvent.RunId, runEvent.EventId);
        return RunEventDelivery.Sent;
    }
}
