using Ingestion.Omop;

namespace Ingestion.Omop.Tests;

/// <summary>DQD's isForeignKey over final rows: a reference that names no row of its table is counted per table and column.</summary>
public sealed class ForeignKeyChecksTests
{
    private static readonly HashSet<(string, long)> Existing = [("person", 1), ("visit_occurrence", 10), ("provider", 100)];

    private static ForeignKeyChecks Checks() => new((table, key) => Existing.Contains((table.Name, key)));

    private static object?[] Measurement(long person, long? visit, long? provider)
    {
        var row = new object?[CdmTables.Measurement.Columns.Count];
        row[0] = 5000L;
        row[CdmTables.Measurement.IndexOf("person_id")] = person;
        row[CdmTables.Measurement.IndexOf("visit_occurrence_id")] = visit;
        row[CdmTables.Measurement.IndexOf("provider_id")] = provider;
        return row;
    }

    [Fact]
    public void Crafted_rows_with_dangling_references_fail_the_check_per_table_and_column()
    {
        var checks = Checks();
        checks.Observe(CdmTables.Measurement, Measurement(1, 10, 100));
        checks.Observe(CdmTables.Measurement, Measurement(1, 11, null)); // visit 11 does not exist
        checks.Observe(CdmTables.Measurement, Measurement(2, 10, 101)); // neither person 2 nor provider 101

        var results = checks.Results();

        Assert.Equal(new ForeignKeyCheck("measurement", "person_id", "person", 3, 1), results.Single(r => r.Column == "person_id"));
        Assert.Equal(new ForeignKeyCheck("measurement", "visit_occurrence_id", "visit_occurrence", 3, 1), results.Single(r => r.Column == "visit_occurrence_id"));
        // Null references are not checked.
        Assert.Equal(new ForeignKeyCheck("measurement", "provider_id", "provider", 2, 1), results.Single(r => r.Column == "provider_id"));
    }

    [Fact]
    public void Rows_whose_references_all_exist_pass_with_zero_dangling()
    {
        var checks = Checks();
        checks.Observe(CdmTables.Measurement, Measurement(1, 10, 100));
        var visit = new object?[CdmTables.VisitOccurrence.Columns.Count];
        visit[0] = 10L;
        visit[1] = 1L;
        checks.Observe(CdmTables.VisitOccurrence, visit);

        Assert.All(checks.Results(), r => Assert.Equal(0, r.Dangling));
        Assert.Equal(4, checks.Results().Sum(r => r.RowsChecked));
    }

    [Fact]
    public void A_table_own_key_is_not_a_reference_but_death_person_id_is()
    {
        Assert.DoesNotContain(CdmForeignKeys.Of(CdmTables.VisitOccurrence), fk => fk.Column == "visit_occurrence_id");
        Assert.Contains(CdmForeignKeys.Of(CdmTables.VisitOccurrence), fk => fk.Column == "preceding_visit_occurrence_id" && !fk.Required);
        Assert.Contains(CdmForeignKeys.Of(CdmTables.Death), fk => fk.Column == "person_id" && fk.Required);
        Assert.Contains(CdmForeignKeys.Of(CdmTables.VisitDetail), fk => fk.Column == "visit_occurrence_id" && fk.Required);
        Assert.Empty(CdmForeignKeys.Of(CdmTables.Deletions));
        Assert.True(CdmForeignKeys.HasRowKey(CdmTables.Measurement));
        Assert.False(CdmForeignKeys.HasRowKey(CdmTables.Death));
        Assert.False(CdmForeignKeys.HasRowKey(CdmTables.CdmSource));
    }
}
