using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingestion.Omop;

namespace Ingestion.Benchmarks;

/// <summary>
/// `vocab [--concepts 6000000] [--relationships 40000000] [--runs 5] [--keep DIR]`: writes a synthetic Athena download
/// (tab-delimited CONCEPT.csv / CONCEPT_RELATIONSHIP.csv / VOCABULARY.csv, Athena's shapes and proportions) and
/// measures `vocab build` time and file size, open time, and single-thread lookups/s: (vocabulary, code) → source
/// concept, and the full path to the standard concept, over a hot set of codes (what a hospital's data repeats) and
/// uniformly over every concept (worst case: cache misses).
/// </summary>
public sealed class VocabularyBenchmark : IBenchmark
{
    private static readonly string[] Vocabularies = ["SNOMED", "LOINC", "RxNorm", "RxNorm Extension", "ICD10CM", "ICD9CM", "CPT4", "HCPCS", "NDC", "CVX", "UCUM"];
    private static readonly string[] Domains = ["Condition", "Measurement", "Drug", "Procedure", "Observation", "Device"];

    public string Name => "vocab";
    public string Description => "Vocabulary file: build time and size (synthetic 6M concepts / 40M relationships), open time, lookups/s/core";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var concepts = CpuStopwatch.Int(args, "--concepts", 6_000_000);
        var relationships = CpuStopwatch.Int(args, "--relationships", 40_000_000);
        var runs = CpuStopwatch.Int(args, "--runs", 5);
        var folder = CpuStopwatch.Option(args, "--keep") ?? Directory.CreateTempSubdirectory("vocab-bench-").FullName;
        Directory.CreateDirectory(folder);
        try
        {
            var watch = Stopwatch.StartNew();
            await WriteAthenaAsync(folder, concepts, relationships, cancellationToken);
            var inputBytes = Directory.EnumerateFiles(folder).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"synthetic Athena download: {concepts:N0} concepts, {relationships:N0} relationships, {inputBytes / 1048576.0:N0} MiB, written in {watch.Elapsed.TotalSeconds:0.0} s");

            var file = Path.Combine(folder, "vocabulary.bin");
            var clock = new CpuStopwatch();
            await VocabularyFile.BuildAsync(folder, file, cancellationToken);
            var build = clock.Wall;
            Console.WriteLine($"build: {build.TotalSeconds:0.0} s wall, {clock.Cpu.TotalSeconds:0.0} s CPU ({relationships / clock.Cpu.TotalSeconds / 1e6:0.0} M relationship rows per CPU-second), " +
                $"file {new FileInfo(file).Length / 1048576.0:N0} MiB, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB");

            var opens = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                watch.Restart();
                using var v = VocabularyFile.Open(file);
                v.TryGetSourceConcept("SNOMED", Code(0), out _);
                opens.Add(watch.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"open + first lookup: median {CpuStopwatch.Median(opens):0.0} ms (min {opens.Min():0.0}, max {opens.Max():0.0})");

            using var vocabulary = VocabularyFile.Open(file);
            var random = new Random(7);
            var hot = Enumerable.Range(0, 10_000).Select(_ => random.Next(concepts)).Select(i => (Vocabularies[i % Vocabularies.Length], Code(i))).ToArray();
            var uniform = Enumerable.Range(0, 1_000_000).Select(_ => random.Next(concepts)).Select(i => (Vocabularies[i % Vocabularies.Length], Code(i))).ToArray();
            Rate("source concept lookups/s, hot set (10,000 codes)", runs, hot, (v, c) => v.TryGetSourceConcept(c.Item1, c.Item2, out _), vocabulary);
            Rate("source concept lookups/s, uniform over all concepts", runs, uniform, (v, c) => v.TryGetSourceConcept(c.Item1, c.Item2, out _), vocabulary);
            Rate("code → standard concept (lookup + Maps to)/s, hot set", runs, hot, Standard, vocabulary);
            Rate("code → standard concept (lookup + Maps to)/s, uniform", runs, uniform, Standard, vocabulary);
            return 0;
        }
        finally
        {
            if (CpuStopwatch.Option(args, "--keep") is null) Directory.Delete(folder, recursive: true);
        }
    }

    private static bool Standard(VocabularyFile vocabulary, (string Vocabulary, string Code) code) =>
        vocabulary.TryGetSourceConcept(code.Vocabulary, code.Code, out var source)
        && vocabulary.TargetCount(source, ConceptRelationship.MapsTo) > 0
        && vocabulary.Target(source, ConceptRelationship.MapsTo, 0).IsStandard;

    private static void Rate((string, string)[] codes, VocabularyFile vocabulary, Func<VocabularyFile, (string, string), bool> lookup, out int found)
    {
        found = 0;
        foreach (var code in codes) if (lookup(vocabulary, code)) found++;
    }

    private static void Rate(string label, int runs, (string, string)[] codes, Func<VocabularyFile, (string, string), bool> lookup, VocabularyFile vocabulary)
    {
        Rate(codes, vocabulary, lookup, out _); // warm-up: JIT and page faults
        var rates = new List<double>();
        var found = 0;
        for (var run = 0; run < runs; run++)
        {
            rates.Add(CpuStopwatch.PerCpuSecond(() =>
            {
                Rate(codes, vocabulary, lookup, out found);
                return codes.Length;
            }));
        }
        Console.WriteLine($"{label,-60} median {CpuStopwatch.Median(rates),13:N0}/CPU-s  (min {rates.Min(),11:N0}, max {rates.Max(),11:N0}; {found:N0}/{codes.Length:N0} found)");
    }

    /// <summary>Concept i's code: numeric like SNOMED/RxNorm for most, LOINC-like with a check digit for some.</summary>
    private static string Code(int i) => (i % Vocabularies.Length) switch
    {
        1 => (10000 + i / 11).ToString(CultureInfo.InvariantCulture) + "-" + (i % 10).ToString(CultureInfo.InvariantCulture),
        4 => "Z" + (i / 11).ToString("D6", CultureInfo.InvariantCulture)[..2] + "." + (i / 11).ToString("D6", CultureInfo.InvariantCulture)[2..],
        _ => (100000 + i / 11 * 7).ToString(CultureInfo.InvariantCulture),
    };

    private static int ConceptId(int i) => 1_000_000 + i * 3;

    /// <summary>Athena's proportions: ~40% standard concepts; every non-standard one maps to a standard one; a few
    /// "Maps to value"; the bulk of the relationship file is hierarchy and reverse links the build skips.</summary>
    private static async Task WriteAthenaAsync(string folder, int concepts, int relationships, CancellationToken cancellationToken)
    {
        await using (var writer = new LineWriter(Path.Combine(folder, "CONCEPT.csv")))
        {
            writer.Line("concept_id\tconcept_name\tdomain_id\tvocabulary_id\tconcept_class_id\tstandard_concept\tconcept_code\tvalid_start_date\tvalid_end_date\tinvalid_reason");
            for (var i = 0; i < concepts; i++)
            {
                writer.Line($"{ConceptId(i)}\tSynthetic concept {i}\t{Domains[i % Domains.Length]}\t{Vocabularies[i % Vocabularies.Length]}\tClinical Finding\t{(IsStandard(i) ? "S" : "")}\t{Code(i)}\t19700101\t20991231\t");
                if ((i & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            }
        }
        await using (var writer = new LineWriter(Path.Combine(folder, "CONCEPT_RELATIONSHIP.csv")))
        {
            writer.Line("concept_id_1\tconcept_id_2\trelationship_id\tvalid_start_date\tvalid_end_date\tinvalid_reason");
            var written = 0;
            var random = new Random(1);
            for (var i = 0; i < concepts && written < relationships; i++)
            {
                var target = IsStandard(i) ? i : StandardNear(i);
                writer.Line($"{ConceptId(i)}\t{ConceptId(target)}\tMaps to\t19700101\t20991231\t");
                writer.Line($"{ConceptId(target)}\t{ConceptId(i)}\tMapped from\t19700101\t20991231\t");
                written += 2;
                if (i % 50 == 0 && written < relationships)
                {
                    writer.Line($"{ConceptId(i)}\t{ConceptId(StandardNear(i + 5))}\tMaps to value\t19700101\t20991231\t");
                    written++;
                }
            }
            string[] others = ["Is a", "Subsumes", "Has finding site", "RxNorm has ing", "Concept replaced by"];
            while (written < relationships)
            {
                writer.Line($"{ConceptId(random.Next(concepts))}\t{ConceptId(random.Next(concepts))}\t{others[written % others.Length]}\t19700101\t20991231\t");
                if ((++written & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            }
        }
        await using (var writer = new LineWriter(Path.Combine(folder, "VOCABULARY.csv")))
        {
            writer.Line("vocabulary_id\tvocabulary_name\tvocabulary_reference\tvocabulary_version\tvocabulary_concept_id");
            writer.Line("None\tOMOP Standardized Vocabularies\tOMOP generated\tsynthetic benchmark\t44819096");
        }
    }

    private static bool IsStandard(int i) => i % 5 < 2;

    private static int StandardNear(int i) => i - i % 5;

    /// <summary>Buffered UTF-8 line output (the generator writes gigabytes; StreamWriter per line is fine but slower).</summary>
    private sealed class LineWriter(string path) : IAsyncDisposable
    {
        private readonly FileStream _stream = new(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _used;

        public void Line(string text)
        {
            if (_used + text.Length * 3 + 1 > _buffer.Length) Flush();
            _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
            _buffer[_used++] = (byte)'\n';
        }

        private void Flush()
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }

        public async ValueTask DisposeAsync()
        {
            Flush();
            await _stream.DisposeAsync();
        }
    }
}
