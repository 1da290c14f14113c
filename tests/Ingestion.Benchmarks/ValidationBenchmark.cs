using Ingestion.Fhir.Json;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;

namespace Ingestion.Benchmarks;

/// <summary>
/// `validate`: US Core 6.1.0 (package) validation of the Synthea 100-patient Observations, repeated to at least 300k
/// resources on one thread: resources/s on one core and bytes allocated per resource, for ResourceElement input
/// (documents parsed beforehand) and for parse + validate from UTF-8 lines, and the strict parser against the plain
/// one. Median of 5 runs. <c>validate --claims</c>: instead, the built-in rules on the Synthea Claims and
/// ExplanationOfBenefits (large, with contained resources: what <c>dom-3</c> costs), each file once per run.
/// <c>validate --synthea</c>: the built-in rules (what the pipeline runs) on every line of the Synthea export, all
/// resource types, once per run, with each type's share of the CPU time, beside the same rules without the
/// clean-subtree memo (each run starts with empty memos) and the memo's hit rate.
/// </summary>
public sealed class ValidationBenchmark : IBenchmark
{
    public string Name => "validate";
    public string Description => "US Core validation throughput (resources/s/core, bytes/resource) on Synthea Observations";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Contains("--claims")) return MeasureClaims();
        if (args.Contains("--synthea")) return MeasureSynthea();
        var target = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 300_000;
        var lines = File.ReadLines(SharedData.PathOf("synthea", "100-patients", "Observation.ndjson"))
            .Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
        var documents = lines.Select(l => ResourceDocument.Parse(l)).ToArray();
        Console.WriteLine($"load average before the run: {LoadAverage()}");
        var repeats = (target + documents.Length - 1) / documents.Length;
        Console.WriteLine($"data: {documents.Length} Synthea Observations × {repeats} = {documents.Length * repeats} resources per run");

        var load = Stopwatch.StartNew();
        var paths = FhirDefinitionPaths.UsCore("6.1.0");
        var package = await UsCoreValidator.FromPackagesAsync(paths, new UsCoreValidatorOptions(), cancellationToken);
        Console.WriteLine($"load+compile US Core 6.1.0 package with R4 definitions: {load.ElapsedMilliseconds} ms");
        var packageNoMustSupport = await UsCoreValidator.FromPackagesAsync(paths, new UsCoreValidatorOptions { ReportMustSupport = false }, cancellationToken);
        load.Restart();
        var builtIn = UsCoreValidator.CreateBuiltIn();
        Console.WriteLine($"load+compile built-in rules (49 US Core profiles, 146 R4 base resource definitions): {load.ElapsedMilliseconds} ms");

        Measure("package 6.1.0, ResourceElement input (default options)", documents, repeats, d => package.Validate(d.RootElement));
        Measure("package 6.1.0, ResourceElement input, must-support off", documents, repeats, d => packageNoMustSupport.Validate(d.RootElement));
        Measure("built-in 6.1.0, ResourceElement input (default options)", documents, repeats, d => builtIn.Validate(d.RootElement));
        MeasureLines("package 6.1.0, parse UTF-8 line + validate", lines, repeats, line =>
        {
            using var document = ResourceParser.Parse(line).Document!;
            package.Validate(document.RootElement);
        });
        // The strict-JSON pass (duplicate keys, UTF-8, string length, depth) against the plain parser it precedes.
        MeasureLines("parse only: ResourceDocument.Parse (lenient)", lines, repeats, line => ResourceDocument.Parse(line).Dispose());
        MeasureLines("parse only: ResourceParser.Parse (strict FHIR JSON)", lines, repeats, line => ResourceParser.Parse(line).Document!.Dispose());
        foreach (var d in documents) d.Dispose();
        return 0;
    }

    private static void Measure(string label, ResourceDocument[] documents, int repeats, Func<ResourceDocument, ValidationResult> validate, Action? beforeEachRun = null)
    {
        for (var i = 0; i < Math.Min(documents.Length, 2000); i++) validate(documents[i]); // warm-up (tiered JIT)
        var rates = new List<double>();
        var cpuRates = new List<double>();
        var allocations = new List<double>();
        var issues = 0L;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (var run = 0; run < 5; run++)
        {
            beforeEachRun?.Invoke();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            issues = 0;
            for (var r = 0; r < repeats; r++)
            {
                foreach (var document in documents) issues += validate(document).Issues.Count;
            }
            watch.Stop();
            var count = (double)documents.Length * repeats;
            rates.Add(count / watch.Elapsed.TotalSeconds);
            cpuRates.Add(count / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            allocations.Add((GC.GetAllocatedBytesForCurrentThread() - before) / count);
        }
        Report(label, rates, cpuRates, allocations, issues / (double)(documents.Length * repeats));
        // Memory flat: what survives a full collection after 5 × 300k resources is what was there before.
        Console.WriteLine($"  live heap before {heapBefore / 1024 / 1024.0:F1} MiB, after {GC.GetTotalMemory(forceFullCollection: true) / 1024 / 1024.0:F1} MiB");
    }

    private static int MeasureClaims()
    {
        Console.WriteLine($"load average before the run: {LoadAverage()}");
        var builtIn = UsCoreValidator.CreateBuiltIn();
        foreach (var type in new[] { "Claim", "ExplanationOfBenefit" })
        {
            var documents = File.ReadLines(SharedData.PathOf("synthea", "100-patients", type + ".ndjson"))
                .Where(l => l.Length > 0).Select(l => ResourceDocument.Parse(l)).ToArray();
            Measure($"built-in 6.1.0, ResourceElement input (default options), {documents.Length} Synthea {type}", documents, 1, d => builtIn.Validate(d.RootElement));
            foreach (var d in documents) d.Dispose();
        }
        return 0;
    }

    private static int MeasureSynthea()
    {
        Console.WriteLine($"load average before the run: {LoadAverage()}");
        var builtIn = UsCoreValidator.CreateBuiltIn();
        var byType = Directory.GetFiles(SharedData.PathOf("synthea", "100-patients"), "*.ndjson").Order(StringComparer.Ordinal)
            .Select(f => (Type: Path.GetFileNameWithoutExtension(f), Documents: File.ReadLines(f).Where(l => l.Length > 0).Select(l => ResourceDocument.Parse(l)).ToArray()))
            .ToArray();
        var all = byType.SelectMany(t => t.Documents).ToArray();
        // The clean-subtree memo remembers across resources: each run starts with empty memos (as a pass over new
        // data would), and the same build without the memo runs beside it.
        var withoutMemo = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { RememberCleanSubtrees = false });
        Measure($"built-in 6.1.0, ResourceElement input, clean-subtree memo off, all {all.Length} Synthea resources", all, 1, d => withoutMemo.Validate(d.RootElement));
        Measure($"built-in 6.1.0, ResourceElement input (default options), all {all.Length} Synthea resources ({byType.Length} types)", all, 1, d => builtIn.Validate(d.RootElement), builtIn.ForgetCleanSubtrees);
        var (lookups, hits) = builtIn.SubtreeMemoStatistics();
        Console.WriteLine($"  clean-subtree memo (last run): {lookups / (double)all.Length:F1} lookups per resource, {hits / (double)Math.Max(1, lookups):P1} hits");
        // Where the mix spends it: CPU time per type over 3 passes (the whole run above is the figure to compare).
        var total = TimeSpan.Zero;
        var perType = new List<(string Type, int Count, TimeSpan Cpu)>();
        foreach (var (type, documents) in byType)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var r = 0; r < 3; r++)
            {
                builtIn.ForgetCleanSubtrees();
                foreach (var document in documents) builtIn.Validate(document.RootElement);
            }
            var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            total += spent;
            perType.Add((type, documents.Length, spent));
        }
        foreach (var (type, count, cpu) in perType.OrderByDescending(t => t.Cpu))
            Console.WriteLine($"  {type,-22} {count,7:N0} resources  {cpu.TotalMilliseconds / 3,8:N0} ms CPU per pass  {cpu / total,6:P1}  {count * 3 / cpu.TotalSeconds,10:N0} resources per CPU-second");
        foreach (var document in all) document.Dispose();
        return 0;
    }

    private static void MeasureLines(string label, byte[][] lines, int repeats, Action<byte[]> work)
    {
        var rates = new List<double>();
        var cpuRates = new List<double>();
        var allocations = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            for (var r = 0; r < repeats; r++)
            {
                foreach (var line in lines) work(line);
            }
            watch.Stop();
            var count = (double)lines.Length * repeats;
            rates.Add(count / watch.Elapsed.TotalSeconds);
            cpuRates.Add(count / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            allocations.Add((GC.GetAllocatedBytesForCurrentThread() - before) / count);
        }
        Report(label, rates, cpuRates, allocations, double.NaN);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    /// <summary>
    /// Wall-clock rate on one thread, and the rate per CPU-second of the process (what one core delivers when the
    /// machine is shared: other engineers' builds load the same 2 cores).
    /// </summary>
    private static void Report(string label, List<double> rates, List<double> cpuRates, List<double> allocations, double issuesPerResource)
    {
        rates.Sort();
        cpuRates.Sort();
        allocations.Sort();
        var issues = double.IsNaN(issuesPerResource) ? "" : $", {issuesPerResource:F2} issues/resource";
        Console.WriteLine($"{label}: median {cpuRates[2]:N0} resources per CPU-second (min {cpuRates[0]:N0}, max {cpuRates[^1]:N0}); wall clock median {rates[2]:N0}/s; {allocations[2]:N0} bytes allocated/resource{issues}");
    }
}
