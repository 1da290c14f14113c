using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.DemoServer;

namespace Ingestion.Fhir.Tests.DemoServer;

public sealed class SyntheticPatientGeneratorTests
{
    private static byte[] Digest(SyntheticPatientGenerator generator)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var record in generator.Generate())
        {
            hash.AppendData(record.NdjsonLine);
            hash.AppendData("\n"u8);
        }
        return hash.GetHashAndReset();
    }

    [Fact]
    public void Same_seed_produces_identical_bytes()
    {
        Assert.Equal(Digest(new SyntheticPatientGenerator(40, 7, 0.1)), Digest(new SyntheticPatientGenerator(40, 7, 0.1)));
    }

    [Fact]
    public void Different_seed_produces_different_data()
    {
        Assert.NotEqual(Digest(new SyntheticPatientGenerator(40, 7, 0)), Digest(new SyntheticPatientGenerator(40, 8, 0)));
    }

    [Fact]
    public void Report_matches_the_generated_lines_per_type_and_defect_kind()
    {
        var generator = new SyntheticPatientGenerator(300, 3, 0.2);
        var report = generator.Report();
        var valid = new Dictionary<string, long>();
        var defects = new Dictionary<(string, DefectKind), long>();
        foreach (var record in generator.Generate())
        {
            if (record.Defect is { } kind) defects[(record.ResourceType, kind)] = defects.GetValueOrDefault((record.ResourceType, kind)) + 1;
            else valid[record.ResourceType] = valid.GetValueOrDefault(record.ResourceType) + 1;
        }
        Assert.Equal(valid.OrderBy(kv => kv.Key), report.ValidResources.OrderBy(kv => kv.Key));
        foreach (var ((type, kind), count) in defects) Assert.Equal(count, report.DefectsOf(type)[kind]);
        Assert.Equal(defects.Values.Sum(), Enum.GetValues<DefectKind>().Sum(report.TotalDefects));
        foreach (var kind in Enum.GetValues<DefectKind>()) Assert.True(report.TotalDefects(kind) > 0, $"no {kind} at 20%");
        Assert.Equal(300, report.ValidResources["Patient"]);
        Assert.Equal(generator.GenerateDeletions().Count(), report.Deletions.Values.Sum());
    }

    [Fact]
    public void Defects_are_what_the_docs_say()
    {
        foreach (var record in new SyntheticPatientGenerator(200, 5, 0.3).Generate())
        {
            var text = Encoding.UTF8.GetString(record.NdjsonLine);
            if (record.Defect == DefectKind.MalformedJson)
            {
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(record.NdjsonLine));
                continue;
            }
            using var doc = JsonDocument.Parse(record.NdjsonLine);
            var root = doc.RootElement;
            var reference = root.TryGetProperty("subject", out var s) ? s : root.TryGetProperty("patient", out var p) ? p : default;
            if (record.Defect == DefectKind.MissingRequiredElement)
                Assert.Equal(JsonValueKind.Undefined, reference.ValueKind);
            else if (SyntheticPatientGenerator.ClinicalTypes.Contains(record.ResourceType))
                Assert.Equal("Patient/" + record.PatientId, reference.GetProperty("reference").GetString());
            Assert.Equal(record.Defect == DefectKind.InvalidDate, text.Contains("2021-13-45", StringComparison.Ordinal));
            Assert.Equal(record.Defect == DefectKind.UnknownCode, text.Contains("\"Unknown code\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Resources_carry_us_core_profiles_and_last_updated()
    {
        var patients = 0;
        var over89 = 0;
        var deceased = 0;
        foreach (var record in new SyntheticPatientGenerator(400, 11, 0).Generate())
        {
            using var doc = JsonDocument.Parse(record.NdjsonLine);
            var root = doc.RootElement;
            var meta = root.GetProperty("meta");
            Assert.StartsWith("http://hl7.org/fhir/us/core/StructureDefinition/us-core-", meta.GetProperty("profile")[0].GetString());
            Assert.EndsWith("|6.1.0", meta.GetProperty("profile")[0].GetString());
            Assert.Equal(record.LastUpdated, DateTimeOffset.Parse(meta.GetProperty("lastUpdated").GetString()!));
            Assert.True(record.LastUpdated <= SyntheticPatientGenerator.Anchor);
            if (record.ResourceType != "Patient") continue;
            patients++;
            Assert.Equal("MR", root.GetProperty("identifier")[0].GetProperty("type").GetProperty("coding")[0].GetProperty("code").GetString());
            Assert.Equal(5, root.GetProperty("address")[0].GetProperty("postalCode").GetString()!.Length);
            var extensions = root.GetProperty("extension").EnumerateArray().Select(e => e.GetProperty("url").GetString()).ToList();
            Assert.Contains("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", extensions);
            Assert.Contains("http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity", extensions);
            Assert.Contains("http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", extensions);
            var birth = DateTime.Parse(root.GetProperty("birthDate").GetString()!);
            if (SyntheticPatientGenerator.Anchor.UtcDateTime.Year - birth.Year > 90) over89++;
            if (root.TryGetProperty("deceasedDateTime", out _)) deceased++;
        }
        Assert.Equal(400, patients);
        Assert.InRange(over89, 1, 60);
        Assert.InRange(deceased, 1, 80);
    }

    [Fact]
    public void Blood_pressure_has_systolic_and_diastolic_components()
    {
        var bp = new SyntheticPatientGenerator(5, 1, 0).Generate()
            .Select(r => JsonDocument.Parse(r.NdjsonLine).RootElement)
            .First(e => e.GetProperty("meta").GetProperty("profile")[0].GetString()!.Contains("us-core-blood-pressure"));
        var codes = bp.GetProperty("component").EnumerateArray().Select(c => c.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()).ToList();
        Assert.Equal(["8480-6", "8462-4"], codes);
        Assert.Equal("mm[Hg]", bp.GetProperty("component")[0].GetProperty("valueQuantity").GetProperty("code").GetString());
    }
}
