using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Ingestion.Privacy;

namespace Ingestion.Benchmarks;

/// <summary>
/// `deid [--runs 5] [--seconds 1]`: single-thread (= per core) throughput of the keyed de-identifier: shifted
/// dateTimes per second by patient id (one derivation of the patient's offset each) and with the patient's shift
/// derived once (the mapper's pattern: many dates per patient), pseudonymous ids per second, the de-identification work of one typical
/// resource, and the BCL one-shot HMAC beside ours. Medians of the runs; allocations per operation.
/// </summary>
public sealed class DeidentificationBenchmark : IBenchmark
{
    public string Name => "deid";
    public string Description => "De-identification: shifted dates/s/core, ids/s, cost per resource";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var runs = IntOption(args, "--runs", 5);
        var seconds = double.Parse(Option(args, "--seconds") ?? "1", CultureInfo.InvariantCulture);
        var options = new DeidentificationOptions { Key = DeidentificationKey.Ephemeral(), ReferenceDate = new DateOnly(2026, 1, 1) };
        var deid = new KeyedDeidentifier(options);

        var random = new Random(42);
        var patients = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var dateTimes = Enumerable.Range(0, 50_000).Select(_ =>
            new DateTime(2000, 1, 1).AddMinutes(random.Next(0, 25 * 365 * 24 * 60)).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "-05:00").ToArray();
        var dates = dateTimes.Select(d => d[..10]).ToArray();
        var eventIds = Enumerable.Range(0, 200_000).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var key = RandomNumberGenerator.GetBytes(32);
        var message = new byte[64];
        var message81 = new byte[81];
        random.NextBytes(message81);

        Console.WriteLine($"runs: {runs} x {seconds:0.##} s, single thread; load average at start: {LoadAverage()}");
        Report("shifted dateTimes/s by patient id (the offset derived each call)", runs, seconds, i =>
            deid.ShiftDateTime(patients[i % patients.Length], dateTimes[i % dateTimes.Length]));
        var shifts = patients.Select(deid.DateShiftOf).ToArray();
        Report("shifted dateTimes/s, the patient's shift derived once (1,000 patients)", runs, seconds, i =>
            deid.ShiftDateTime(shifts[i % shifts.Length], dateTimes[i % dateTimes.Length]));
        Report("shifted dates/s, the patient's shift derived once", runs, seconds, i =>
            deid.ShiftDate(shifts[i % shifts.Length], dates[i % dates.Length]));
        var ids = Report("event ids/s (one HMAC each)", runs, seconds, i =>
            deid.PseudonymousId(OmopKeyDomain.Measurement, eventIds[i % eventIds.Length]));
        Report("person ids/s", runs, seconds, i =>
            deid.PseudonymousId(OmopKeyDomain.Person, patients[i % patients.Length]));
        Report("typical resource/s (event id, person id, visit id, 2 dateTimes of the patient's shift)", runs, seconds, i =>
        {
            var patient = patients[i % patients.Length];
            deid.PseudonymousId(OmopKeyDomain.Measurement, eventIds[i % eventIds.Length]);
            deid.PseudonymousId(OmopKeyDomain.Person, patient);
            deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, patients[(i / 7) % patients.Length]);
            deid.ShiftDateTime(shifts[i % shifts.Length], dateTimes[i % dateTimes.Length]);
            return deid.ShiftDateTime(shifts[i % shifts.Length], dateTimes[(i + 1) % dateTimes.Length]);
        });
        var bcl = Report("HMAC-SHA256/s, BCL one-shot HMACSHA256.HashData", runs, seconds, i =>
        {
            message[0] = (byte)i;
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(key, message.AsSpan(0, 48), mac);
            return mac[0];
        });
        Console.WriteLine($"event id derivation (our HMAC, pads precomputed, plus encoding) vs BCL one-shot HMAC: {ids / bcl:0.0}x");

        // The two SHA-256 compressions under our HMAC, alternating, on an event key's message length (81 bytes:
        // label, table name, NUL, "Observation/<uuid>#component/1").
        if (Sha256Block.IsNativeAvailable)
        {
            var managed = new HmacSha256(key, native: false);
            var native = new HmacSha256(key, native: true);
            var managedRates = new List<double>();
            var nativeRates = new List<double>();
            var state = new Sha256Context[1];
            for (var round = 0; round < 3; round++)
            {
                Report("SHA-256 compressions/s, managed", 1, seconds, i => Compress(state, message, i, native: false));
                Report("SHA-256 compressions/s, OpenSSL (SHA256_Transform)", 1, seconds, i => Compress(state, message, i, native: true));
                managedRates.Add(Report("HMAC-SHA256/s, 81-byte message, managed compression", 1, seconds, i => Mac(managed, message81, i)));
                nativeRates.Add(Report("HMAC-SHA256/s, 81-byte message, OpenSSL compression (SHA256_Transform)", 1, seconds, i => Mac(native, message81, i)));
            }
            Console.WriteLine($"OpenSSL vs managed compression, HMAC of 81 bytes: {Median(nativeRates) / Median(managedRates):0.00}x (medians of 3 alternating rounds)");
        }
        else
        {
            Console.WriteLine("OpenSSL's SHA256_Transform is not available here: only the managed compression runs.");
        }
        return Task.FromResult(0);
    }

    /// <summary>
    /// Runs the operation for the given seconds, several times. Rates are per CPU-second of this process (the
    /// benchmark is single-threaded, so that is per core even while other processes share the cores) and, for
    /// reference, per wall-clock second. Returns the median CPU rate.
    /// </summary>
    private static double Report<T>(string label, int runs, double seconds, Func<int, T> operation)
    {
        for (var i = 0; i < 20_000; i++) operation(i); // warm-up: tiered JIT
        var process = Process.GetCurrentProcess();
        var cpuRates = new List<double>();
        var wallRates = new List<double>();
        var bytes = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            var count = 0;
            var limit = TimeSpan.FromSeconds(seconds);
            while (stopwatch.Elapsed < limit)
            {
                for (var i = 0; i < 1000; i++) operation(count + i);
                count += 1000;
            }

            var wall = stopwatch.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            cpuRates.Add(count / cpu);
            wallRates.Add(count / wall);
            bytes.Add((GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)count);
        }

        var median = Median(cpuRates);
        Console.WriteLine($"{label,-66} median {median,11:N0}/s per CPU-s ({1e9 / median,6:N0} ns/op; min {cpuRates.Min(),11:N0}, max {cpuRates.Max(),11:N0}), wall {Median(wallRates),11:N0}/s, {Median(bytes):0.#} B/op");
        return median;
    }

    private static uint Compress(Sha256Context[] state, byte[] block, int i, bool native)
    {
        block[0] = (byte)i;
        Sha256Block.Compress(ref state[0], block, native);
        return state[0][0];
    }

    private static byte Mac(HmacSha256 hmac, byte[] message, int i)
    {
        message[^1] = (byte)i;
        Span<byte> mac = stackalloc byte[HmacSha256.HashSize];
        hmac.Compute(message, mac);
        return mac[0];
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
