using System.IO.Pipelines;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Ingestion.Storage;

namespace Ingestion.Azure.Lake;

/// <summary>
/// A streamed part upload: the caller writes into a pipe whose other end the SDK's partitioned uploader reads
/// (<c>BlockBlobClient.UploadAsync</c> with <see cref="BlobLakeOptions.TransferOptions"/>), staging blocks in parallel.
/// <para>
/// Memory bound: the pipe pauses the writer at <see cref="PipeBytes"/>, and the SDK holds at most
/// (MaxConcurrency + 1) blocks; nothing grows with the size of the part.
/// </para>
/// <para>
/// Visible only when complete: the SDK commits the block list (Put Block List, with the write condition) only after it
/// reads the end of the stream, which happens only in <see cref="CommitAsync"/>. Disposing without commit cancels the
/// upload and ends the pipe with an error instead of an end: staged blocks stay uncommitted and the service discards them.
/// </para>
/// </summary>
internal sealed class BlobLakeUpload : ILakeUpload
{
    internal const int PipeBytes = 1024 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: PipeBytes, resumeWriterThreshold: PipeBytes / 2, useSynchronizationContext: false));
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task<Response<BlobContentInfo>> _upload;
    private readonly BlobLakeUploadStream _content;
    private bool _finished;

    public BlobLakeUpload(BlockBlobClient blob, string path, BlobUploadOptions options)
    {
        Path = path;
        _upload = Task.Run(() => UploadAsync(blob, options, _abandon.Token));
        _content = new BlobLakeUploadStream(_pipe.Writer, _upload);
    }

    public string Path { get; }

    public Stream Content => _content;

    public async Task<LakeItem> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        // The end of the pipe is what lets the SDK commit.
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        await using var abandonOnCancel = cancellationToken.Register(_abandon.Cancel).ConfigureAwait(false);
        try
        {
            var info = (await _upload.ConfigureAwait(false)).Value;
            return new LakeItem(Path, _content.Length, info.ETag.ToString(), info.LastModified);
        }
        catch (RequestFailedException ex) when (BlobLakeErrors.ForWrite(Path, ex) is { } error)
        {
            throw error;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _finished = true;
            await _abandon.CancelAsync().ConfigureAwait(false);
            // An error, not an end: even a reader that missed the cancellation cannot take this for the end of the part.
            await _pipe.Writer.CompleteAsync(new OperationCanceledException("The lake upload was abandoned.")).ConfigureAwait(false);
        }
        try
        {
            await _upload.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Abandoned, or a failure the writer or CommitAsync has already reported: nothing was committed, and
            // disposal (often on an error path) must not replace the original error.
        }
        _abandon.Dispose();
    }

    private async Task<Response<BlobContentInfo>> UploadAsync(BlockBlobClient blob, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        // Disposing the stream completes the reader, which wakes a writer waiting on a full pipe when the upload fails.
        await using var source = _pipe.Reader.AsStream();
        return await blob.UploadAsync(source, options, cancellationToken).ConfigureAwait(false);
    }
}
