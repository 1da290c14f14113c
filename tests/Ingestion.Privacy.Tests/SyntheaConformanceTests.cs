using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestion.Testing;

namespace Ingestion.Privacy.Tests;

/// <summary>
/// Real Bulk Data NDJSON (Synthea, ../shared/data): every date and dateTime of every resource type, keyed by its
/// patient, shifts by that patient's one offset, whatever order files are processed in. Failures name file and
/// line only.
/// </summary>
[Trait("Category", TestCategories.Conformance)]
public partial class SyntheaConformanceTests
{
    private sealed record DatedValue(string File, int Line, string PatientId, string Text);

    [GeneratedRegex(@"^\d{4}-\d{2}(-\d{2}(T.+)?)?$")]
    private static partial Regex DateLike();

    [Fact]
    public void Every_date_in_every_file_shifts_by_its_patients_offset_in_any_file_order()
    {
        var folder = SharedData.PathOf("synthea", "10-patients");
        var files = Directory.GetFiles(folder, "*.ndjson").OrderBy(f => f, StringComparer.Ordinal).ToList();
        var values = files.SelectMany(Read).ToList();

        var resourceTypes = values.Select(v => v.File).Distinct().Count();
        Assert.True(values.Count > 5000, $"only {values.Count} dated values found");
        Assert.True(resourceTypes >= 10, $"dates found in only {resourceTypes} files");
        Assert.Equal(10, values.Select(v => v.PatientId).Distinct().Count());

        var deid = TestKeys.Deidentifier();
        var inOrder = new Dictionary<DatedValue, DateTime?>();
        foreach (var value in values)
        {
            var shifted = deid.ShiftDateTime(value.PatientId, value.Text);
            Assert.True(shifted is not null, $"{value.File}:{value.Line}: a real FHIR date did not parse");
            var original = Original(value.Text);
            Assert.True(shifted == original.AddDays(deid.DateOffsetDays(value.PatientId)), $"{value.File}:{value.Line}: not shifted by the patient's offset");
            inOrder[value] = shifted;
        }

        // A second worker: its own instance, files in reverse order, two threads.
        var other = TestKeys.Deidentifier();
        var reversed = new ConcurrentDictionary<DatedValue, DateTime?>();
        Parallel.ForEach(values.GroupBy(v => v.File).Reverse(), new ParallelOptions { MaxDegreeOfParallelism = 2 }, file =>
        {
            foreach (var value in file) reversed[value] = other.ShiftDateTime(value.PatientId, value.Text);
        });
        Assert.True(inOrder.Count == reversed.Count && inOrder.All(kv => reversed[kv.Key] == kv.Value), "file order changed a shifted value");
    }

    /// <summary>The instant a FHIR value denotes, parsed by the framework (dates at 00:00 UTC).</summary>
    private static DateTime Original(string text) => text.Length switch
    {
        7 => DateTime.ParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        10 => DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        _ => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).UtcDateTime,
    };

    private static IEnumerable<DatedValue> Read(string path)
    {
        var file = Path.GetFileName(path);
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            using var document = JsonDocument.Parse(text);
            var resource = document.RootElement;
            var patientId = PatientOf(resource);
            if (patientId is null) continue;
            var found = new List<string>();
            Collect(resource, found);
            foreach (var value in found)
            {
                // Partial dates land on a keyed day of their period; full values must shift exactly.
                if (value.Length != 7) yield return new DatedValue(file, line, patientId, value);
            }
        }
    }

    private static string? PatientOf(JsonElement resource)
    {
        if (resource.GetProperty("resourceType").GetString() == "Patient") return resource.GetProperty("id").GetString();
        foreach (var name in new[] { "subject", "patient" })
        {
            if (resource.TryGetProperty(name, out var reference) && reference.TryGetProperty("reference", out var value)
                && value.GetString() is { } text)
            {
                if (text.StartsWith("Patient/", StringComparison.Ordinal)) return text["Patient/".Length..];
                if (text.StartsWith("urn:uuid:", StringComparison.Ordinal)) return text["urn:uuid:".Length..];
            }
        }

        return null;
    }

    private static void Collect(JsonElement element, List<string> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Collect(property.Value, found);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Collect(item, found);
                break;
            case JsonValueKind.String when element.GetString() is { } text && DateLike().IsMatch(text):
                found.Add(text);
                break;
        }
    }
}
