using System.Text;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>One staged text file of the lake (UTF-8 lines), written as it comes: the upload starts with the first line,
/// so a file with none writes nothing and <see cref="CompleteAsync"/> deletes a stale one of an earlier attempt.
/// Lines appended to <see cref="Lines"/> are written in one call per about <see cref="FlushChars"/> characters, not an
/// async write per line.</summary>
internal sealed class StagedTextFile(ILake lake, string path) : IAsyncDisposable
{
    private const int FlushChars = 32 * 1024;

    private ILakeUpload? _upload;
    private StreamWriter? _writer;

    /// <summary>Lines not written yet: append whole lines (with their '\n'), then call <see cref="EndLineAsync"/>.</summary>
    public StringBuilder Lines { get; } = new(FlushChars + 256);

    /// <summary>Writes the gathered lines when they fill the buffer.</summary>
    public ValueTask EndLineAsync(CancellationToken cancellationToken) =>
        Lines.Length >= FlushChars ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>The writer the lines go to, opening the upload on first use.</summary>
    private async ValueTask<StreamWriter> WriterAsync(CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            _upload = await lake.StartUploadAsync(path, LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
            _writer = new StreamWriter(_upload.Content, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        }
        return _writer;
    }

    /// <summary>Publishes the file and returns its path; with no line written, deletes any earlier one and returns null.</summary>
    public async Task<string?> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_writer is null)
        {
            await lake.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            return null;
        }
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        await _upload!.CommitAsync(cancellationToken).ConfigureAwait(false);
        return path;
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (Lines.Length == 0) return;
        var writer = await WriterAsync(cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(Lines, cancellationToken).ConfigureAwait(false);
        Lines.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        if (_upload is not null) await _upload.DisposeAsync().ConfigureAwait(false);
    }
}
