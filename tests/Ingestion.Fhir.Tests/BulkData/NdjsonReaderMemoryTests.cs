using System.Text;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Fhir.Tests.BulkData;

public class NdjsonReaderMemoryTests
{
    /// <summary>Produces <paramref name="lines"/> NDJSON lines on the fly, synchronously, so nothing but the reader allocates.</summary>
    private sealed class GeneratedNdjson(int lines, int padding) : Stream
    {
        private readonly byte[] _line = Encoding.UTF8.GetBytes("{\"resourceType\":\"Observation\",\"id\":\"x\",\"valueString\":\"" + new string('v', padding) + "\"}\n");
        private long _position;
        public long Length64 => (long)_line.Length * lines;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < Length64)
            {
                var inLine = (int)(_position % _line.Length);
                var n = Math.Min(buffer.Length - written, _line.Length - inLine);
                _line.AsSpan(inLine, n).CopyTo(buffer[written..]);
                written += n;
                _position += n;
            }
            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => Length64;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static long AllocatedWhileReading(int lines)
    {
        using var stream = new GeneratedNdjson(lines, padding: 700);
        var options = new NdjsonReaderOptions { ExpectedResourceType = "Observation" };
        var before = GC.GetAllocatedBytesForCurrentThread();
        long valid = 0;
        // The stream completes synchronously, so the whole enumeration runs on this thread and the counter sees it all.
        var enumerator = NdjsonReader.ReadAsync(stream, options, CancellationToken.None).GetAsyncEnumerator();
        while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            if (enumerator.Current.Error is null) valid++;
        enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(lines, valid);
        return allocated;
    }

    [Fact]
    public void Reading_does_not_allocate_per_line_so_memory_does_not_grow_with_file_size()
    {
        AllocatedWhileReading(1_000); // warm up (JIT, pools)
        var small = AllocatedWhileReading(10_000);    // ~7.5 MB
        var large = AllocatedWhileReading(200_000);   // ~150 MB

        // Twenty times the lines must not cost twenty times the allocations: the pooled pipe buffers are reused.
        Assert.True(large < 4 * small + 256 * 1024, $"allocated {small} bytes for 10k lines and {large} bytes for 200k lines");
    }
}
