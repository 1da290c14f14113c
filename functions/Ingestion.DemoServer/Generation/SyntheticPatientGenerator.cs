namespace Ingestion.DemoServer;

/// <summary>
/// Deterministic synthetic US Core R4 data: the same (patients, seed, defectRate) always yields the same bytes.
/// Streaming: each patient is planned from its own seeded random stream, so nothing is held beyond one patient.
/// </summary>
public sealed class SyntheticPatientGenerator
{
    /// <summary>The "now" of the data: every date and meta.lastUpdated lies before it.</summary>
    public static readonly DateTimeOffset Anchor = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Resource types that can carry a defect (all have a patient reference, a main date and a main code).</summary>
    public static IReadOnlyList<string> ClinicalTypes { get; } =
        ["Encounter", "Condition", "Observation", "MedicationRequest", "Procedure", "Immunization", "AllergyIntolerance", "DiagnosticReport"];

    private readonly int _patients;
    private readonly int _seed;
    private readonly double _defectRate;

    public SyntheticPatientGenerator(int patients, int seed, double defectRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patients);
        if (defectRate is < 0 or > 1 || double.IsNaN(defectRate)) throw new ArgumentOutOfRangeException(nameof(defectRate), "must be within 0..1");
        _patients = patients;
        _seed = seed;
        _defectRate = defectRate;
    }

    public int OrganizationCount => 2 + _patients / 5000;
    public int LocationCount => OrganizationCount;
    public int PractitionerCount => 3 + _patients / 200;

    /// <summary>Every NDJSON line: shared resources (Organization, Location, Practitioner) first, then patient by patient.</summary>
    public IEnumerable<GeneratedRecord> Generate()
    {
        var writer = new ResourceWriter();
        foreach (var planned in Plan())
        {
            writer.Begin(planned.ResourceType, planned.Id, planned.Defect, planned.Profile, planned.LastUpdated);
            planned.Write(writer, new Random(planned.ContentSeed));
            yield return new GeneratedRecord(planned.ResourceType, writer.End(), planned.Defect, planned.PatientId, planned.LastUpdated);
        }
    }

    /// <summary>Resources simulated as deleted (never present in <see cref="Generate"/>), for deleted[] with _since.</summary>
    public IEnumerable<GeneratedDeletion> GenerateDeletions()
    {
        for (var p = 0; p < _patients; p++)
        {
            // A stream of its own, so deletions never shift the patients' data.
            var rng = new Random(Mix(~_seed, p));
            if (rng.NextDouble() < 0.1)
                yield return new GeneratedDeletion("Observation", NewId(rng), Anchor - TimeSpan.FromMinutes(rng.Next(1, 730 * 24 * 60)));
        }
    }

    /// <summary>Exact counts of <see cref="Generate"/> and <see cref="GenerateDeletions"/>, computed from the plan without writing JSON.</summary>
    public GenerationReport Report()
    {
        var valid = new Dictionary<string, long>(StringComparer.Ordinal);
        var defects = new Dictionary<string, Dictionary<DefectKind, long>>(StringComparer.Ordinal);
        foreach (var planned in Plan())
        {
            if (planned.Defect is { } kind)
            {
                if (!defects.TryGetValue(planned.ResourceType, out var perKind)) defects[planned.ResourceType] = perKind = [];
                perKind[kind] = perKind.GetValueOrDefault(kind) + 1;
            }
            else
            {
                valid[planned.ResourceType] = valid.GetValueOrDefault(planned.ResourceType) + 1;
            }
        }
        var deletions = GenerateDeletions().GroupBy(d => d.ResourceType).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        return new GenerationReport
        {
            ValidResources = valid,
            Defects = defects.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<DefectKind, long>)kv.Value, StringComparer.Ordinal),
            Deletions = deletions,
        };
    }

    internal IEnumerable<PlannedResource> Plan()
    {
        var shared = new SharedResources(this, new Random(Mix(_seed, -1)));
        foreach (var r in shared.Plan()) yield return r;
        for (var p = 0; p < _patients; p++)
        {
            foreach (var r in new PatientPlan(this, shared, p, PatientRandom(p)).Plan()) yield return r;
        }
    }

    internal DefectKind? DrawDefect(Random rng)
    {
        // Both draws always happen so the stream stays aligned whatever the rate.
        var hit = rng.NextDouble() < _defectRate;
        var kind = (DefectKind)rng.Next(4);
        return hit ? kind : null;
    }

    private Random PatientRandom(int patientIndex) => new(Mix(_seed, patientIndex));

    /// <summary>A version-4-shaped GUID from the seeded stream (deterministic ids).</summary>
    internal static string NewId(Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    /// <summary>SplitMix64 of (seed, index): independent, reproducible streams per patient.</summary>
    private static int Mix(int seed, int index)
    {
        var z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }
}
