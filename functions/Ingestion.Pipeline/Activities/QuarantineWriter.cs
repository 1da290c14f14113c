using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Streams one file's quarantine records to the quarantine lake (it holds PHI): one JSON line per rejected line
/// with the file index, resource type, line number, reason code and the original line: as <c>resource</c> when it is
/// JSON, as the string <c>raw</c> when it is text, as <c>rawBase64</c> when it is not valid UTF-8 (so the quarantine
/// file itself stays valid UTF-8 JSON that DuckDB or any JSON reader opens). Nothing is visible until
/// <see cref="CompleteAsync"/>; a file without rejects leaves no object (and removes one a previous attempt left).
/// </summary>
internal sealed class QuarantineWriter(ILake quarantine, ActivityState activity) : IAsyncDisposable
{
    private readonly string _path = LakePaths.Quarantine(activity.InstanceId, activity.Index);
    private ILakeUpload? _upload;
    private Utf8JsonWriter? _json;

    public long Count { get; private set; }

    public async ValueTask WriteAsync(long lineNumber, string reason, ReadOnlyMemory<byte> original, bool originalIsJson, CancellationToken cancellationToken)
    {
        if (_upload is null)
        {
            _upload = await quarantine.StartUploadAsync(_path, LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
            _json = new Utf8JsonWriter(_upload.Content, new JsonWriterOptions { SkipValidation = true });
        }
        var json = _json!;
        json.Reset(_upload.Content);
        json.WriteStartObject();
        json.WriteString("run", activity.InstanceId);
        json.WriteNumber("fileIndex", activity.Index);
        json.WriteString("resourceType", activity.ResourceType);
        json.WriteNumber("line", lineNumber);
        json.WriteString("reason", reason);
        if (!System.Text.Unicode.Utf8.IsValid(original.Span))
        {
            json.WriteBase64String("rawBase64", original.Span);
        }
        else if (originalIsJson)
        {
            json.WritePropertyName("resource");
            json.WriteRawValue(original.Span, skipInputValidation: true);
        }
        else
        {
            json.WriteString("raw", original.Span);
        }
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        _upload.Content.WriteByte((byte)'\n');
        Count++;
    }

    /// <summary>Commits the quarantine file; returns its path, or null when nothing was quarantined.</summary>
    public async Task<string?> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_upload is null)
        {
            await quarantine.DeleteAsync(_path, cancellationToken).ConfigureAwait(false);
            return null;
        }
        // The JSON writer flushes its stream on dispose: dispose it before the upload closes the stream.
        await _json!.DisposeAsync().ConfigureAwait(false);
        _json = null;
        await _upload.Content.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        return _path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_json is not null) await _json.DisposeAsync().ConfigureAwait(false);
        if (_upload is not null) await _upload.DisposeAsync().ConfigureAwait(false);
    }
}
