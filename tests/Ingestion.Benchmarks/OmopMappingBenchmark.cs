using Ingestion.Fhir.Json;
using System.Globalization;
using System.Text.Json;
using Ingestion.Omop;
using Ingestion.Privacy;

namespace Ingestion.Benchmarks;

/// <summary>
/// `omop-map [--resources 20000] [--runs 5] [--vocab FILE]`: single-thread mapping throughput on parsed,
/// Synthea-shaped Observations (~160 per patient, as in the Synthea export) (vital signs, blood-pressure panels with two components, labs, smoking status with a
/// coded value), with the keyed de-identifier and the starter vocabulary (or a vocabulary file). Parsing is outside
/// the timing, as the issue asks; rows go to typed row buffers, cleared after each resource as the file activity does. Rates are per CPU-second (= per core).
/// </summary>
public sealed class OmopMappingBenchmark : IBenchmark
{
    private static readonly (string Code, string Unit, double Low, double High)[] Vitals =
    [
        ("8302-2", "cm", 50, 200), ("29463-7", "kg", 3, 150), ("39156-5", "kg/m2", 14, 45), ("8867-4", "/min", 50, 120),
        ("9279-1", "/min", 10, 25), ("2339-0", "mg/dL", 60, 200), ("718-7", "g/dL", 10, 18), ("2947-0", "mmol/L", 130, 150),
        ("6298-4", "mmol/L", 3, 6), ("2093-3", "mg/dL", 120, 280), ("4548-4", "%", 4, 10), ("38483-4", "mg/dL", 0.5, 1.5),
    ];

    public string Name => "omop-map";
    public string Description => "FHIR → OMOP mapping of parsed Synthea-shaped Observations: resources/s/core";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = CpuStopwatch.Int(args, "--resources", 20_000);
        var runs = CpuStopwatch.Int(args, "--runs", 5);
        var vocabularyPath = CpuStopwatch.Option(args, "--vocab");
        using var vocabulary = vocabularyPath is null ? (IDisposable)StarterVocabulary.Create() : VocabularyFile.Open(vocabularyPath);
        var deidentifier = new KeyedDeidentifier(new DeidentificationOptions { Key = DeidentificationKey.Ephemeral(), ReferenceDate = new DateOnly(2026, 1, 1) });
        var mapper = new OmopMapper((IVocabulary)vocabulary, deidentifier);

        var documents = Generate(count).Select(json => ResourceDocument.Parse(json)).ToList();
        var resources = documents.Select(d => d.RootElement).ToArray();
        var sink = new MappedRows();
        var report = new MappingReport();
        foreach (var r in resources) mapper.Map(r, sink, report); // warm-up and shape check
        var rowsPerResource = (double)sink.Rows.Count / resources.Length;
        Console.WriteLine($"{resources.Length:N0} Observations ({rowsPerResource:0.00} rows each, concept_id 0 rate in measurement {report.UnmappedRate("measurement"):P1}), vocabulary \"{((IVocabulary)vocabulary).Version}\"");

        // Bytes allocated per resource on this thread, after the warm-up (the sink's own growth included).
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var allocationReport = new MappingReport();
        sink.Clear();
        foreach (var r in resources)
        {
            mapper.Map(r, sink, allocationReport);
            sink.Clear();
        }
        var bytesPerResource = (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / resources.Length;
        Console.WriteLine($"bytes allocated per mapped Observation: {bytesPerResource:N0}");

        var rates = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            rates.Add(CpuStopwatch.PerCpuSecond(() =>
            {
                var runReport = new MappingReport();
                foreach (var r in resources)
                {
                    mapper.Map(r, sink, runReport);
                    sink.Clear(); // as the file activity does once a resource's rows are written
                }
                return resources.Length;
            }));
        }
        var median = CpuStopwatch.Median(rates);
        Console.WriteLine($"mapped Observations per CPU-second: median {median,11:N0} (min {rates.Min():N0}, max {rates.Max():N0}); rows/CPU-s {median * rowsPerResource:N0}; target 200,000");
        foreach (var d in documents) d.Dispose();
        return Task.FromResult(0);
    }

    /// <summary>Observations as Synthea writes them: ~60% single vitals/labs, 25% blood-pressure panels, 15% smoking status.</summary>
    private static IEnumerable<string> Generate(int count)
    {
        // Synthea's shape: ~160 Observations per patient over ~35 encounters (100 patients: 16,315 Observations).
        var random = new Random(11);
        var patients = Enumerable.Range(0, Math.Max(1, count / 160)).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var encounters = Enumerable.Range(0, Math.Max(1, count / 5)).Select(_ => Guid.NewGuid().ToString()).ToArray();
        for (var i = 0; i < count; i++)
        {
            var patient = "urn:uuid:" + patients[random.Next(patients.Length)];
            var encounter = "Encounter/" + encounters[random.Next(encounters.Length)];
            var when = new DateTime(2000, 1, 1).AddMinutes(random.Next(0, 20 * 525600)).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "-05:00";
            var id = Guid.NewGuid().ToString();
            var kind = random.Next(100);
            var head = $$"""{"resourceType":"Observation","id":"{{id}}","status":"final","subject":{"reference":"{{patient}}"},"encounter":{"reference":"{{encounter}}"},"effectiveDateTime":"{{when}}","issued":"{{when}}",""";
            if (kind < 60)
            {
                var (code, unit, low, high) = Vitals[random.Next(Vitals.Length)];
                var value = Math.Round(low + random.NextDouble() * (high - low), 1).ToString(CultureInfo.InvariantCulture);
                yield return head + $$$"""
                    "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"{{{code}}}","display":"x"}],"text":"x"},"valueQuantity":{"value":{{{value}}},"unit":"{{{unit}}}","system":"http://unitsofmeasure.org","code":"{{{unit}}}"}}
                    """;
            }
            else if (kind < 85)
            {
                yield return head + $$$"""
                    "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood Pressure"}],"text":"Blood Pressure"},"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4","display":"Diastolic Blood Pressure"}]},"valueQuantity":{"value":{{{random.Next(60, 95)}}},"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic Blood Pressure"}]},"valueQuantity":{"value":{{{random.Next(100, 160)}}},"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}
                    """;
            }
            else
            {
                yield return head + """
                    "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"social-history"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"72166-2","display":"Tobacco smoking status NHIS"}]},"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"266919005","display":"Never smoker"}]}}
                    """;
            }
        }
    }
}
