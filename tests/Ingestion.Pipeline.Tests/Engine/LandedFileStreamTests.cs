using Ingestion.Pipeline.Sources;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>
/// A landed file (or one chunk of it) is read in place: exactly its bytes, whatever the reader's buffer size, and every
/// read completes at once (the caller continues on its own thread, no thread-pool hop per buffer).
/// </summary>
public sealed class LandedFileStreamTests : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("landed-stream-").FullName, "Patient.ndjson");
    private readonly byte[] _bytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31 % 251)).ToArray();

    public LandedFileStreamTests() => File.WriteAllBytes(_file, _bytes);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    [Theory]
    [InlineData(0L, null, 1)]
    [InlineData(0L, null, 65536)]
    [InlineData(12_345L, 100_000L, 4096)]
    [InlineData(12_345L, 100_000L, 7)]
    [InlineData(299_990L, 1_000L, 4096)]   // a chunk said to run past the end stops at it
    [InlineData(300_000L, 0L, 4096)]       // an empty chunk at the end
    public async Task A_chunk_reads_exactly_its_bytes_and_every_read_completes_at_once(long offset, long? length, int bufferSize)
    {
        await using var stream = LandedFileStream.Open(_file, offset, length);
        using var read = new MemoryStream();
        var buffer = new byte[bufferSize];
        while (true)
        {
            var pending = stream.ReadAsync(buffer);
            Assert.True(pending.IsCompletedSuccessfully);
            var n = await pending;
            if (n == 0) break;
            read.Write(buffer, 0, n);
        }

        var end = length is { } l ? Math.Min(offset + l, _bytes.Length) : _bytes.Length;
        Assert.Equal(_bytes.AsSpan((int)offset, (int)(end - offset)).ToArray(), read.ToArray());
    }

    [Fact]
    public async Task A_cancelled_read_is_reported_as_cancelled_and_reads_nothing()
    {
        await using var stream = LandedFileStream.Open(_file, 0, null);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.ReadExactlyAsync(new byte[16], cancelled.Token));
        var buffer = new byte[16];
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal(_bytes.AsSpan(0, 16).ToArray(), buffer);
    }
}
