namespace Ingestion.Omop.Tests;

/// <summary>The typed row buffers the mapper writes into: values keep their column types, nulls are explicit, a
/// mapper bug (wrong type, too many values) fails loudly, and a resource that does not map leaves nothing behind.</summary>
public class TypedRowsTests
{
    private static readonly IVocabulary Vocabulary = TestVocabulary.Create();

    [Fact]
    public void A_row_reads_back_its_typed_values_in_column_order_and_unfilled_columns_are_null()
    {
        var t = CdmTables.Death;
        var rows = new OmopRowBuffer(t);
        var when = new DateTime(2020, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        rows.Add().Put(42L).Put(new DateOnly(2020, 2, 3)).Put(when).Put(32817).Put((int?)null).Put("I21.9");

        Assert.Equal(1, rows.Count);
        Assert.Equal(42L, rows.Int64(0, 0));
        Assert.Equal(new DateOnly(2020, 2, 3), rows.Date(0, t.IndexOf("death_date")));
        Assert.Equal(when, rows.DateTime(0, t.IndexOf("death_datetime")));
        Assert.Equal(DateTimeKind.Utc, rows.DateTime(0, t.IndexOf("death_datetime")).Kind);
        Assert.Equal(32817, rows.Int32(0, t.IndexOf("death_type_concept_id")));
        Assert.True(rows.IsNull(0, t.IndexOf("cause_concept_id")));
        Assert.Equal("I21.9", rows.String(0, t.IndexOf("cause_source_value")));
        Assert.True(rows.IsNull(0, t.IndexOf("cause_source_concept_id")), "a column never reached stays null");
    }

    [Fact]
    public void A_value_of_another_type_or_past_the_last_column_is_a_mapper_bug_and_throws()
    {
        var rows = new OmopRowBuffer(CdmTables.Death);
        Assert.Throws<ArgumentException>(() => rows.Add().Put(1)); // an int into person_id (bigint)
        Assert.Throws<ArgumentException>(() => rows.Add().Put(1L).Put(new DateOnly(2020, 1, 1)).Put(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Local)));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            rows.Add().Put(1L).Put(new DateOnly(2020, 1, 1)).Null().Put(0).Null().Null().Null().Null());
        // Neither exception is one the mapper quarantines as malformed input.
        Assert.IsNotType<InvalidOperationException>(Record.Exception(() => rows.Add().Put(1)));
    }

    [Fact]
    public void Buffers_grow_past_their_capacity_and_truncate_back()
    {
        var rows = new OmopRowBuffer(CdmTables.Location, capacity: 1);
        for (var i = 0; i < 100; i++) rows.Add().Put((long)i).Null().Null().Null().Put(i % 2 == 0 ? "MA" : null);
        Assert.Equal(100, rows.Count);
        Assert.Equal(99L, rows.Int64(99, 0));
        Assert.True(rows.IsNull(99, 4));
        Assert.Equal("MA", rows.String(98, 4));
        rows.Truncate(10);
        Assert.Equal(10, rows.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => rows.Nulls(10));
    }

    [Fact]
    public void A_resource_quarantined_after_some_of_its_rows_leaves_only_the_earlier_resources_rows_and_dates()
    {
        var mapper = new OmopMapper(Vocabulary, new FakeDeidentifier());
        var rows = new MappedRows();
        var report = new MappingReport();
        Assert.Equal(MappingStatus.Mapped, mapper.Map(Fhir.Parse("""
            {"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"onsetDateTime":"2020-03-04",
             "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}
            """), rows, report).Status);
        // The person and location rows are opened before the invalid death date quarantines the Patient.
        var outcome = mapper.Map(Fhir.Parse("""
            {"resourceType":"Patient","id":"p2","gender":"female","birthDate":"1970-06-15",
             "address":[{"state":"MA","postalCode":"01103","country":"US"}],"deceasedDateTime":"2020-13-45"}
            """), rows, report);

        Assert.Equal(MappingStatus.Quarantined, outcome.Status);
        var (buffer, row) = Assert.Single(rows.Rows);
        Assert.Same(CdmTables.ConditionOccurrence, buffer.Table);
        Assert.Equal(0, row);
        Assert.Single(rows.PersonDates.Rows());
        Assert.Equal(1, report.RowsByTable.Values.Sum());
        rows.Clear();
        Assert.Empty(rows.Rows);
    }
}
