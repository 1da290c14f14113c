using Ingestion.Pipeline.Activities;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>The file activity counts validation issues by rule id through <see cref="ValidationIssueCounts"/> (looked up
/// by string instance first): the counts and their order must be those of the ordinal dictionary it replaced, whatever
/// the instances, also past its bound on instances.</summary>
public sealed class ValidationIssueCountsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(3_000)]
    public void Counts_are_those_of_an_ordinal_dictionary_in_first_seen_order(int freshIds)
    {
        var ids = new[] { "Observation.category:must-support", "us-core-17", "Encounter.location:must-support", "ele-1" };
        var found = new List<string>();
        var random = new Random(19);
        for (var i = 0; i < 20_000; i++)
        {
            var id = ids[random.Next(ids.Length)];
            // Mostly the validator's one instance per rule; sometimes an equal copy (another producer).
            found.Add(random.Next(10) == 0 ? new string(id.AsSpan()) : id);
        }
        for (var i = 0; i < freshIds; i++) found.Insert(random.Next(found.Count), new string(("rule-" + (i % 700)).AsSpan()));

        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var id in found) System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(expected, id, out _)++;
        var counts = new ValidationIssueCounts();
        foreach (var id in found) counts.Add(id);
        var actual = counts.ToDictionary();

        Assert.Equal(expected.ToList(), actual.ToList());
        Assert.Equal(expected.Comparer, actual.Comparer);
    }
}
