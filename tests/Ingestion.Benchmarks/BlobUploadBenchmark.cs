using System.Diagnostics;
using System.Globalization;
using Ingestion.Azure.Blobs;
using Ingestion.Azure.Storage;
using Ingestion.Testing.StandIns;

namespace Ingestion.Benchmarks;

/// <summary>
/// Uploads Parquet-sized parts (random bytes: Parquet pages are already compressed, so content does not matter to
/// the wire) to a local Azurite, single-shot Put Blob versus staged parallel blocks + Put Block List, and reports
/// MB/s (median of rounds) and peak memory of this process per mode.
/// Usage: blob-upload [--total-mb 1024] [--part-mb 128] [--block-mb 8] [--concurrency 4] [--rounds 3]
/// </summary>
public sealed class BlobUploadBenchmark : IBenchmark
{
    public string Name => "blob-upload";

    public string Description => "1 GB of Parquet-sized parts to Azurite: single-shot vs parallel staged blocks (MB/s, peak memory)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int Arg(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }
        var totalMb = Arg("--total-mb", 1024);
        var partMb = Arg("--part-mb", 128);
        var blockMb = Arg("--block-mb", 8);
        var concurrency = Arg("--concurrency", 4);
        var rounds = Arg("--rounds", 3);
        var parts = Math.Max(1, totalMb / partMb);

        var location = Directory.CreateTempSubdirectory("azurite-bench-").FullName;
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location, cancellationToken);
            var credential = StorageCredential.SharedKey(AzuriteProcess.AccountName, AzuriteProcess.AccountKey);
            var client = new BlobStorageClient(azurite.BlobEndpoint, credential,
                new BlobStorageClientOptions { BlockSize = blockMb * 1024 * 1024, MaxConcurrency = concurrency });
            await client.CreateContainerIfNotExistsAsync("bench", cancellationToken);
            var chunk = new byte[1024 * 1024];
            Random.Shared.NextBytes(chunk);

            Console.WriteLine($"upload {parts} parts x {partMb} MB = {parts * partMb} MB per round, {rounds} rounds; block {blockMb} MB x {concurrency} parallel; Azurite 3.37.0 on disk (loopback)");
            // Time inside CommitAsync (last blocks + Put Block List), to tell staging from committing.
            var commitSeconds = 0.0;
            var modes = new (string Name, Func<string, Task> Upload)[]
            {
                ("single-shot Put Blob", blob => client.UploadAsync("bench", blob, new PatternStream(chunk, (long)partMb * 1024 * 1024), cancellationToken: cancellationToken)),
                ($"staged blocks x{concurrency}", async blob =>
                {
                    await using var upload = client.OpenUploadStream("bench", blob);
                    for (var written = 0; written < partMb; written++) await upload.WriteAsync(chunk, cancellationToken);
                    var commit = Stopwatch.StartNew();
                    await upload.CommitAsync(cancellationToken);
                    commitSeconds += commit.Elapsed.TotalSeconds;
                }),
            };

            var medians = new Dictionary<string, double>();
            foreach (var (name, upload) in modes)
            {
                var rates = new List<double>();
                commitSeconds = 0;
                var totalSeconds = 0.0;
                using var sampler = new MemorySampler();
                for (var round = 0; round < rounds; round++)
                {
                    var watch = Stopwatch.StartNew();
                    for (var part = 0; part < parts; part++) await upload($"{name.Split(' ')[0]}/round-{round}/part-{part:D4}.parquet");
                    watch.Stop();
                    rates.Add(parts * partMb / watch.Elapsed.TotalSeconds);
                    totalSeconds += watch.Elapsed.TotalSeconds;
                    // Drop the round's blobs so Azurite's disk does not grow with rounds.
                    await foreach (var blob in client.GetBlobsAsync("bench", cancellationToken: cancellationToken))
                        await client.DeleteAsync("bench", blob.Name, cancellationToken: cancellationToken);
                }
                rates.Sort();
                medians[name] = rates[rates.Count / 2];
                Console.WriteLine($"{name,-24} median {medians[name],7:F1} MB/s  (rounds: {string.Join(", ", rates.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))})  peak managed heap {sampler.PeakManagedMb,6:F0} MB  peak working set {sampler.PeakWorkingSetMb,6:F0} MB"
                    + (commitSeconds > 0 ? $"  (commit share {commitSeconds / totalSeconds:P0})" : ""));
            }
            Console.WriteLine($"ratio staged/single: {medians[modes[1].Name] / medians[modes[0].Name]:F2}x");
            return 0;
        }
        finally
        {
            try { Directory.Delete(location, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A seekable read-only stream of <paramref name="length"/> bytes repeating <paramref name="pattern"/> (no part materialized in memory).</summary>
    private sealed class PatternStream(byte[] pattern, long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => _position = value; }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            var total = (int)Math.Min(buffer.Length, length - _position);
            for (var copied = 0; copied < total;)
            {
                var start = (int)(_position % pattern.Length);
                var n = Math.Min(total - copied, pattern.Length - start);
                pattern.AsSpan(start, n).CopyTo(buffer[copied..]);
                copied += n;
                _position += n;
            }
            return total;
        }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));
        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Samples this process's managed heap and working set every 20 ms.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peakManaged;
        private long _peakWorkingSet;

        public MemorySampler()
        {
            GC.Collect();
            _timer = new Timer(_ => Sample(), null, 0, 20);
        }

        public double PeakManagedMb => Interlocked.Read(ref _peakManaged) / 1048576.0;
        public double PeakWorkingSetMb => Interlocked.Read(ref _peakWorkingSet) / 1048576.0;

        private void Sample()
        {
            var managed = GC.GetTotalMemory(false);
            var workingSet = Environment.WorkingSet;
            if (managed > Interlocked.Read(ref _peakManaged)) Interlocked.Exchange(ref _peakManaged, managed);
            if (workingSet > Interlocked.Read(ref _peakWorkingSet)) Interlocked.Exchange(ref _peakWorkingSet, workingSet);
        }

        public void Dispose() => _timer.Dispose();
    }
}
