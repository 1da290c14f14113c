using Ingestion.Fhir.Json;
using System.IO.Hashing;
using System.Text.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Fhir.Validation.FhirPath;
using Xunit;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// The clean-subtree memo changes no verdict: the same issues, in the same order, with and without it, where an object
/// first occurs clean and later dirty (in another element, another slice, with a <c>#</c> reference whose contained
/// resources differ), across the resources one validator sees in turn; a dirty object is never skipped.
/// </summary>
public sealed class SubtreeMemoTests
{
    private const string VitalSignsCategory = """{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital Signs"}]}""";
    private const string HeartRateCode = """{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"Heart rate"}""";
    private const string ContainedReference = """{"reference":"#p1","display":"Contained practitioner"}""";

    // Race without its required text: clean as a plain Extension, an error in the Patient's us-core-race slice.
    private const string RaceWithoutText = """{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race","extension":[{"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2106-3","display":"White"}}]}""";

    private static string HeartRate(string id, string extra = "") =>
        "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\"," + extra
        + "\"status\":\"final\",\"category\":[" + VitalSignsCategory + "],\"code\":" + HeartRateCode
        + ",\"subject\":{\"reference\":\"Patient/example-patient-1\",\"display\":\"Example patient\"},\"effectiveDateTime\":\"2020-01-01T10:00:00Z\","
        + "\"valueQuantity\":{\"value\":60,\"unit\":\"beats/minute\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";

    private static string Patient(string extra) =>
        "{\"resourceType\":\"Patient\",\"id\":\"p\"," + extra
        + "\"identifier\":[{\"system\":\"http://example.org/mrn\",\"value\":\"1\"}],\"name\":[{\"family\":\"Doe\",\"given\":[\"Jo\"]}],\"gender\":\"female\"}";

    [Fact]
    public void A_subtree_clean_in_one_element_is_still_checked_in_another()
    {
        // The heart-rate CodeableConcept is clean as Observation.code; as Patient.maritalStatus it is outside the
        // extensible binding. The vital-signs category is clean in its Observation slice, wrong as a Condition category.
        var resources = new[]
        {
            HeartRate("a"),
            Patient("\"maritalStatus\":" + HeartRateCode + ","),
            "{\"resourceType\":\"Condition\",\"id\":\"c\",\"category\":[" + VitalSignsCategory + "],\"code\":" + HeartRateCode
                + ",\"subject\":{\"reference\":\"Patient/example-patient-1\",\"display\":\"Example patient\"}}",
        };
        var (on, off) = ValidateWithAndWithout(resources);

        Assert.Equal(Joined(off), Joined(on));
        Assert.Contains(off[1], i => i.Contains("Patient.maritalStatus"));
        Assert.Contains(off[2], i => i.Contains("Condition.category"));
    }

    [Fact]
    public void A_subtree_clean_outside_a_slice_is_still_checked_in_the_slice_it_matches()
    {
        var resources = new[]
        {
            HeartRate("a", "\"extension\":[" + RaceWithoutText + "],"),
            Patient("\"extension\":[" + RaceWithoutText + "],"),
        };
        var (on, off) = ValidateWithAndWithout(resources);

        Assert.Equal(Joined(off), Joined(on));
        Assert.DoesNotContain(off[0], i => i.Contains("extension"));
        Assert.Contains(off[1], i => i.Contains("Patient.extension[0]"));
    }

    [Fact]
    public void A_contained_reference_is_checked_against_each_resources_own_contained_resources()
    {
        // ref-1 reads %rootResource.contained.id: the same reference object is clean where p1 is contained, wrong
        // where nothing or something else is, in either order.
        const string containsP1 = "\"contained\":[{\"resourceType\":\"Practitioner\",\"id\":\"p1\",\"name\":[{\"family\":\"Smith\"}]}],\"performer\":[" + ContainedReference + "],";
        const string containsP2 = "\"contained\":[{\"resourceType\":\"Practitioner\",\"id\":\"p2\",\"name\":[{\"family\":\"Smith\"}]}],\"performer\":[" + ContainedReference + ",{\"reference\":\"#p2\"}],";
        const string containsNothing = "\"performer\":[" + ContainedReference + "],";
        var resources = new[]
        {
            HeartRate("a", containsP1), HeartRate("b", containsNothing), HeartRate("c", containsP2),
            HeartRate("d", containsP1), HeartRate("e", containsNothing), HeartRate("f", containsP1),
        };
        var (on, off) = ValidateWithAndWithout(resources);

        Assert.Equal(Joined(off), Joined(on));
        Assert.DoesNotContain(off[0], i => i.Contains("ref-1"));
        Assert.Contains(off[1], i => i.Contains("ref-1") && i.Contains("Observation.performer[0]"));
        Assert.Contains(off[2], i => i.Contains("ref-1") && i.Contains("Observation.performer[0]"));
        Assert.Contains(off[4], i => i.Contains("ref-1"));
        Assert.DoesNotContain(off[5], i => i.Contains("ref-1"));
    }

    [Fact]
    public void A_subtree_with_issues_is_never_remembered()
    {
        // The same dirty resource twice, and its dirty parts beside clean copies of themselves: every issue each time.
        var dirtyPeriod = """{"start":"2020-02-01T10:00:00Z","end":"2020-01-01T10:00:00Z","extension":[{"url":"http://example.org/x","valueString":"y"}]}""";
        var dirty = HeartRate("a", "\"effectivePeriod\":" + dirtyPeriod + ",").Replace("\"effectiveDateTime\":\"2020-01-01T10:00:00Z\",", "", StringComparison.Ordinal);
        // A structure issue (an unknown element in the CodeableConcept) as well as an invariant one (per-1).
        var unknownElement = HeartRate("c").Replace("\"text\":\"Heart rate\"}", "\"text\":\"Heart rate\",\"bogus\":true}", StringComparison.Ordinal);
        var resources = new[] { dirty, dirty, HeartRate("b"), dirty, unknownElement, unknownElement };
        var (on, off) = ValidateWithAndWithout(resources);

        Assert.Equal(Joined(off), Joined(on));
        Assert.Contains(off[0], i => i.Contains("per-1"));
        Assert.Equal(on[0], on[1]);
        Assert.Equal(on[0], on[3]);
        Assert.Contains(off[4], i => i.Contains("unknown-element"));
        Assert.Equal(on[4], on[5]);
    }

    [Fact]
    public void Repeated_clean_subtrees_are_found_in_the_memo()
    {
        var validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
        foreach (var resource in new[] { HeartRate("a"), HeartRate("b"), HeartRate("c") }) Validate(validator, resource);

        var (lookups, hits) = validator.SubtreeMemoStatistics();
        Assert.True(lookups > 0);
        Assert.True(hits > 0, "the second and third Observation repeat the first's category, code, subject and value");
    }

    [Fact]
    public void The_memo_keys_by_context_environment_and_bytes()
    {
        var memo = new SubtreeMemo();
        using var document = ResourceDocument.Parse(HeartRateCode);
        var value = document.RootElement;

        Assert.False(memo.Seen(2, value, out var key));
        Assert.False(memo.Seen(2, value, out _)); // nothing is remembered before Remember
        memo.Remember(key);
        Assert.True(memo.Seen(2, value, out _));
        Assert.False(memo.Seen(4, value, out _)); // another context
        Assert.False(memo.Seen(2, value, out _, environment: 12345)); // another environment (contained ids)
        using var other = ResourceDocument.Parse(HeartRateCode.Replace("8867-4", "8867-5", StringComparison.Ordinal));
        Assert.False(memo.Seen(2, other.RootElement, out _)); // other bytes

        using var small = ResourceDocument.Parse("""{"code":"x"}""");
        Assert.False(memo.Seen(2, small.RootElement, out var smallKey));
        memo.Remember(smallKey);
        Assert.False(memo.Seen(2, small.RootElement, out _)); // objects under the size threshold are not memoized
    }

    [Fact]
    public void A_repeat_of_the_last_object_in_its_context_is_a_hit_only_once_remembered_clean()
    {
        // The bucket of a context answers a repeat of the object hashed there last, by its bytes, without the table:
        // only once that object was remembered (or found) clean, only in the same context, without an environment.
        var memo = new SubtreeMemo();
        using var first = ResourceDocument.Parse(HeartRateCode);
        using var same = ResourceDocument.Parse(HeartRateCode); // the same bytes in another document
        using var sameLength = ResourceDocument.Parse(HeartRateCode.Replace("8867-4", "8867-5", StringComparison.Ordinal));

        Assert.False(memo.Seen(2, first.RootElement, out var key));
        Assert.False(memo.Seen(2, same.RootElement, out _)); // held, not clean: a dirty object is walked however often it repeats
        Assert.False(memo.Seen(2, same.RootElement, out _));
        memo.Remember(key);
        Assert.True(memo.Seen(2, same.RootElement, out _));
        Assert.True(memo.Seen(2, first.RootElement, out _));
        Assert.False(memo.Seen(2, sameLength.RootElement, out _)); // same length, other bytes (and now the bucket's last)
        Assert.False(memo.Seen(2, sameLength.RootElement, out _)); // still not remembered
        Assert.True(memo.Seen(2, same.RootElement, out _)); // from the table again
        Assert.False(memo.Seen(2 + 4096, same.RootElement, out _)); // another context of the same bucket
        Assert.True(memo.Seen(2, same.RootElement, out _));
        Assert.False(memo.Seen(2, same.RootElement, out _, environment: 12345)); // another environment
        Assert.True(memo.Seen(2, same.RootElement, out _));
    }

    [Theory]
    [InlineData("hasValue() or (children().count() > id.count())", "None")]
    [InlineData("(code.exists() or value.empty()) and (system.empty() or system = %ucum)", "None")]
    [InlineData("resource.groupingId.all(%context.grouping.id contains $this)", "None")]
    [InlineData(ReferenceFormCheck.Expression, "ContainedIds")]
    [InlineData("who.exists((resolve() is Practitioner) or (resolve() is Device)) implies onBehalfOf.exists()", "Outside")]
    [InlineData("value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()", "Outside")]
    [InlineData("%rootResource.contained.exists()", "Outside")]
    [InlineData("start <= today()", "Outside")]
    public void Constraints_are_classified_by_what_they_read_outside_their_element(string expression, string expected) =>
        Assert.Equal(expected, ExpressionDependency.Of(expression).ToString());

    [Theory]
    [InlineData("""{"resourceType":"Observation"}""", true)]
    [InlineData("""{"resourceType":"Observation","contained":[{"resourceType":"Practitioner","id":"p1"}]}""", true)]
    [InlineData("""{"resourceType":"Observation","contained":[{"resourceType":"Practitioner","_id":{"extension":[]}}]}""", false)]
    [InlineData("""{"resourceType":"Observation","contained":[{"resourceType":"Practitioner","id":1}]}""", false)]
    [InlineData("""{"resourceType":"Observation","contain\u0065d":[]}""", false)]
    [InlineData("""{"resourceType":"Observation","contained":["x"]}""", false)]
    [InlineData("""{"resourceType":"Observation","contained":[],"contained":[]}""", false)]
    [InlineData("""{"resourceType":"Observation","_contained":{},"contained":[{"resourceType":"Practitioner","id":"p1"}]}""", false)]
    public void Contained_ids_are_hashed_only_when_the_hash_captures_them_exactly(string resource, bool exact)
    {
        using var document = ResourceDocument.Parse(resource);
        Assert.Equal(exact, ContainedIds.TryHash(document.RootElement, null, new XxHash128(), out var scanned));
        // The root's names read once (as the validator does) give the same answer and hash as the JSON scan, also on a
        // hasher the context reuses (what it held before is not part of the hash).
        var reused = new XxHash128();
        reused.Append("an earlier resource's contained ids"u8);
        Assert.Equal(exact, ContainedIds.TryHash(document.RootElement, RootIndex(document.RootElement), reused, out var indexed));
        Assert.Equal(scanned, indexed);
    }

    private static FhirPathObjectIndex RootIndex(ResourceElement root)
    {
        var index = new FhirPathObjectIndex();
        index.Build(root);
        return index;
    }

    [Fact]
    public void Contained_ids_hash_differs_by_id_and_is_zero_without_contained()
    {
        static UInt128 Hash(string json)
        {
            using var document = ResourceDocument.Parse(json);
            Assert.True(ContainedIds.TryHash(document.RootElement, null, new XxHash128(), out var hash));
            Assert.True(ContainedIds.TryHash(document.RootElement, RootIndex(document.RootElement), new XxHash128(), out var indexed));
            Assert.Equal(hash, indexed);
            return hash;
        }
        Assert.Equal(UInt128.Zero, Hash("""{"resourceType":"Observation"}"""));
        var p1 = Hash("""{"resourceType":"Observation","contained":[{"resourceType":"Practitioner","id":"p1","active":true}]}""");
        Assert.NotEqual(UInt128.Zero, p1);
        Assert.Equal(p1, Hash("""{"resourceType":"Observation","contained":[{"resourceType":"Practitioner","id":"p1"}]}"""));
        Assert.NotEqual(p1, Hash("""{"resourceType":"Observation","contained":[{"resourceType":"Practitioner","id":"p2"}]}"""));
        Assert.NotEqual(p1, Hash("""{"resourceType":"Observation","contained":[{"resourceType":"Practitioner","id":"p1"},{"resourceType":"Practitioner","id":"p2"}]}"""));
    }

    /// <summary>Each resource's issues as text, in order, from a validator with the memo and one without (must-support off: more objects are clean).</summary>
    private static (List<string>[] On, List<string>[] Off) ValidateWithAndWithout(IReadOnlyList<string> resources)
    {
        var with = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });
        var without = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false, RememberCleanSubtrees = false });
        return (resources.Select(r => Validate(with, r)).ToArray(), resources.Select(r => Validate(without, r)).ToArray());
    }

    private static IEnumerable<string> Joined(List<string>[] results) => results.Select(r => string.Join('\n', r));

    private static List<string> Validate(UsCoreValidator validator, string resource)
    {
        using var document = ResourceDocument.Parse(resource);
        var result = validator.Validate(document.RootElement);
        return [$"usable {result.Usable}", .. result.Issues.Select(SubtreeMemoCorpusTests.Describe)];
    }
}
