namespace Ingestion.Omop.Tests;

public class ConceptAncestorBuilderTests
{
    private static List<(int Ancestor, int Descendant, int Min, int Max)> Build(Action<ConceptAncestorBuilder> setup)
    {
        var builder = new ConceptAncestorBuilder();
        setup(builder);
        return builder.Rows().Select(r => ((int)r[0]!, (int)r[1]!, (int)r[2]!, (int)r[3]!)).ToList();
    }

    [Fact]
    public void Every_standard_concept_is_its_own_ancestor_and_levels_count_the_shortest_and_longest_is_a_paths()
    {
        // 4 is-a 3 is-a 1; 4 is-a 2 is-a 1 ... and 4 is-a 1 directly: min 1, max 2.
        var rows = Build(b =>
        {
            foreach (var id in new[] { 1, 2, 3, 4 }) b.AddConcept(id, "S");
            b.AddRelationship(4, 3, "Is a", null);
            b.AddRelationship(3, 1, "Is a", null);
            b.AddRelationship(4, 1, "Is a", null);
            b.AddRelationship(2, 1, "Is a", null);
        });

        Assert.Contains((4, 4, 0, 0), rows);
        Assert.Contains((1, 4, 1, 2), rows);
        Assert.Contains((3, 4, 1, 1), rows);
        Assert.Contains((1, 2, 1, 1), rows);
        Assert.DoesNotContain(rows, r => r.Ancestor == 2 && r.Descendant == 4);
    }

    [Fact]
    public void Non_standard_concepts_invalid_rows_and_other_relationships_are_left_out()
    {
        var rows = Build(b =>
        {
            b.AddConcept(1, "S");
            b.AddConcept(2, null);
            b.AddConcept(3, "S");
            b.AddRelationship(2, 1, "Is a", null);
            b.AddRelationship(3, 1, "Is a", "D");
            b.AddRelationship(3, 1, "Maps to", null);
        });

        Assert.Equal([(1, 1, 0, 0), (3, 3, 0, 0)], rows);
    }
}
