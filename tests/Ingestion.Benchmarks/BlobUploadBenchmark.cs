using System.Globalization;
using Azure.Storage.Blobs;
using Ingestion.Azure.Lake;
using Ingestion.Storage;
using Ingestion.Testing.StandIns;

namespace Ingestion.Benchmarks;

/// <summary>
/// Streams Parquet-sized parts (random bytes: Parquet pages are already compressed, so content does not matter to the
/// wire) through <see cref="ILake"/> uploads to a local Azurite and reports, per lake client: MB/s (median of rounds),
/// this process's CPU seconds per GB, and peak managed heap / working set. The figures of the removed REST client,
/// measured side by side before it was deleted, are in docs/benchmarks.md.
/// Usage: blob-upload [--total-mb 1024] [--part-mb 128] [--block-mb 8] [--concurrency 4] [--rounds 3]
/// </summary>
public sealed class BlobUploadBenchmark : IBenchmark
{
    public string Name => "blob-upload";

    public string Description => "1 GB of Parquet-sized parts streamed to Azurite through the lake (MB/s, client CPU s/GB, peak memory)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var totalMb = CpuStopwatch.Int(args, "--total-mb", 1024);
        var partMb = CpuStopwatch.Int(args, "--part-mb", 128);
        var blockMb = CpuStopwatch.Int(args, "--block-mb", 8);
        var concurrency = CpuStopwatch.Int(args, "--concurrency", 4);
        var rounds = CpuStopwatch.Int(args, "--rounds", 3);
        var parts = Math.Max(1, totalMb / partMb);

        var location = Directory.CreateTempSubdirectory("azurite-bench-").FullName;
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location, cancellationToken);
            var sdkLake = new BlobLake(new BlobServiceClient(azurite.ConnectionString),
                new BlobLakeOptions { Container = "bench", BlockSizeBytes = blockMb * 1024 * 1024, MaxConcurrency = concurrency });
            await sdkLake.EnsureContainerAsync(cancellationToken);
            var chunk = new byte[1024 * 1024];
            Random.Shared.NextBytes(chunk);

            Console.WriteLine($"upload {parts} parts x {partMb} MB = {parts * partMb} MB per round, {rounds} rounds; block {blockMb} MB x {concurrency} parallel; Azurite 3.37.0 on disk (loopback)");
            var clients = new (string Name, ILake Lake)[] { ("Azure.Storage.Blobs", sdkLake) };
            var medians = new Dictionary<string, (double MbPerSecond, double CpuSecondsPerGb)>();
            // Rounds interleave clients, so each sees the same neighbours on a shared machine.
            var rates = clients.ToDictionary(c => c.Name, _ => new List<double>());
            var cpu = clients.ToDictionary(c => c.Name, _ => new List<double>());
            var peaks = clients.ToDictionary(c => c.Name, _ => (Managed: 0.0, WorkingSet: 0.0));
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, lake) in clients)
                {
                    using var sampler = new MemorySampler();
                    var clock = new CpuStopwatch();
                    for (var part = 0; part < parts; part++)
                    {
                        await using var upload = await lake.StartUploadAsync($"{name[..4]}/round-{round}/part-{part:D4}.parquet", cancellationToken: cancellationToken);
                        for (var written = 0; written < partMb; written++) await upload.Content.WriteAsync(chunk, cancellationToken);
                        await upload.CommitAsync(cancellationToken);
                    }
                    rates[name].Add(parts * partMb / clock.Wall.TotalSeconds);
                    cpu[name].Add(clock.Cpu.TotalSeconds / (parts * partMb / 1024.0));
                    peaks[name] = (Math.Max(peaks[name].Managed, sampler.PeakManagedMb), Math.Max(peaks[name].WorkingSet, sampler.PeakWorkingSetMb));
                    // Drop the round's blobs so Azurite's disk does not grow with rounds.
                    await foreach (var item in lake.ListAsync($"{name[..4]}/", cancellationToken)) await lake.DeleteAsync(item.Path, cancellationToken);
                }
            }
            foreach (var (name, _) in clients)
            {
                medians[name] = (CpuStopwatch.Median(rates[name]), CpuStopwatch.Median(cpu[name]));
                Console.WriteLine($"{name,-22} median {medians[name].MbPerSecond,7:F1} MB/s (rounds: {string.Join(", ", rates[name].Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))})"
                    + $"  client CPU {medians[name].CpuSecondsPerGb,5:F2} s/GB  peak managed heap {peaks[name].Managed,5:F0} MB  peak working set {peaks[name].WorkingSet,5:F0} MB");
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(location, recursive: true); } catch (IOException) { }
        }
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
