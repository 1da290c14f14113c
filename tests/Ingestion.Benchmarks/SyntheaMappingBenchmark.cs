using Ingestion.Fhir.Json;
using System.Globalization;
using System.Text.Json;
using Ingestion.Omop;
using Ingestion.Privacy;
using Ingestion.Testing;

namespace Ingestion.Benchmarks;

/// <summary>
/// `omop-map-synthea [--input DIR] [--runs 5] [--deid keyed|plain] [--lines N]`: single-thread CPU of the OMOP mapping per
/// resource over a real Synthea export, parsed beforehand (every `*.ndjson` of DIR, default the shared
/// `synthea/100-patients`). Each file maps into its own <see cref="MappedRows"/>, cleared after every resource, as the
/// file activity does. `--deid plain` keeps the keyed date shifts but derives row keys with a cheap non-keyed hash,
/// so the figure is the mapper's own CPU without the HMAC; `keyed` (default) is the product's de-identifier.
/// `--lines N` maps the first N resources of each file only: the parsed documents then stay in the CPU's caches, as a
/// resource just parsed and validated is in the file activity (all of them, ~100 MB of trees, miss on every resource).
/// </summary>
public sealed class SyntheaMappingBenchmark : IBenchmark
{
    public string Name => "omop-map-synthea";
    public string Description => "FHIR → OMOP mapping of a parsed Synthea export (all types): ns of CPU per resource";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var input = CpuStopwatch.Option(args, "--input") ?? Path.Combine(SharedData.Root, "synthea", "100-patients");
        var runs = CpuStopwatch.Int(args, "--runs", 5);
        var deid = CpuStopwatch.Option(args, "--deid") ?? "keyed";
        var lines = CpuStopwatch.Int(args, "--lines", int.MaxValue);
        var vocabulary = StarterVocabulary.Create();
        var keyed = new KeyedDeidentifier(new DeidentificationOptions { Key = DeidentificationKey.Ephemeral(), ReferenceDate = new DateOnly(2026, 1, 1) });
        IDeidentifier deidentifier = deid switch
        {
            "keyed" => keyed,
            "plain" => new UnkeyedIds(keyed),
            _ => throw new ArgumentException("--deid is keyed or plain"),
        };
        var mapper = new OmopMapper(vocabulary, deidentifier);

        var files = Directory.GetFiles(input, "*.ndjson").Order(StringComparer.Ordinal)
            .Select(path => File.ReadLines(path).Where(l => l.Length > 0).Take(lines).Select(l => ResourceDocument.Parse(l)).ToArray())
            .ToArray();
        var resources = files.Sum(f => f.Length);
        var exportDate = new DateOnly(2026, 1, 1);

        // One pass: the rows, and the report the shape check prints (also the warm-up).
        var report = new MappingReport();
        long rows = 0;
        MapAll(files, mapper, exportDate, report, committed => rows += committed);
        Console.WriteLine($"{files.Length} files, {resources:N0} resources, {rows:N0} rows ({(double)rows / resources:0.00} per resource), de-identifier: {deid}");

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        MapAll(files, mapper, exportDate, new MappingReport(), _ => { });
        Console.WriteLine($"bytes allocated per resource: {(double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / resources:N0}");

        // Until the hot methods run their tier-1 code: the first passes measure the JIT, not the mapping.
        CpuStopwatch.PerCpuSecond(() =>
        {
            MapAll(files, mapper, exportDate, new MappingReport(), _ => { });
            return resources;
        }, cpuSeconds: 3);

        var nanoseconds = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var perCpuSecond = CpuStopwatch.PerCpuSecond(() =>
            {
                MapAll(files, mapper, exportDate, new MappingReport(), _ => { });
                return resources;
            }, cpuSeconds: 2);
            nanoseconds.Add(1e9 / perCpuSecond);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1}: {1e9 / perCpuSecond:F0} ns of CPU per resource"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU per resource: median {CpuStopwatch.Median(nanoseconds):F0} ns (min {nanoseconds.Min():F0}, max {nanoseconds.Max():F0}); load average {LoadAverage()}"));
        foreach (var document in files.SelectMany(f => f)) document.Dispose();
        return Task.FromResult(0);
    }

    private static void MapAll(ResourceDocument[][] files, OmopMapper mapper, DateOnly exportDate, MappingReport report, Action<int> committed)
    {
        foreach (var file in files)
        {
            var sink = new MappedRows(exportDate);
            foreach (var document in file)
            {
                mapper.Map(document.RootElement, sink, report);
                committed(sink.Rows.Count);
                sink.Clear();
            }
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    /// <summary>The keyed de-identifier's dates, birth and ZIP rules, with row keys from a cheap hash instead of the
    /// HMAC: what is left is the mapper's own work.</summary>
    private sealed class UnkeyedIds(IDeidentifier dates) : IDeidentifier
    {
        public string KeyFingerprint => dates.KeyFingerprint;

        public long PseudonymousId(OmopKeyDomain domain, string logicalId) => PseudonymousId(domain, logicalId.AsSpan());

        public long PseudonymousId(OmopKeyDomain domain, ReadOnlySpan<char> logicalId) =>
            (((long)string.GetHashCode(logicalId) << 8) | (long)domain) & long.MaxValue;

        public int DateOffsetDays(string patientLogicalId) => dates.DateOffsetDays(patientLogicalId);

        public DateOnly? ShiftDate(string patientLogicalId, string fhirDate) => dates.ShiftDate(patientLogicalId, fhirDate);

        public DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime) => dates.ShiftDateTime(patientLogicalId, fhirDateTime);

        public DateOnly? ShiftDate(string patientLogicalId, ReadOnlySpan<char> fhirDate) => dates.ShiftDate(patientLogicalId, fhirDate);

        public DateTime? ShiftDateTime(string patientLogicalId, ReadOnlySpan<char> fhirDateTime) => dates.ShiftDateTime(patientLogicalId, fhirDateTime);

        public ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate) => dates.ShiftBirth(patientLogicalId, fhirBirthDate);

        public string? GeneralizeZip(string? postalCode) => dates.GeneralizeZip(postalCode);
    }
}
