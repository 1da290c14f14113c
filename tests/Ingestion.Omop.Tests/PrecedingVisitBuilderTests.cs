using Ingestion.Omop;

namespace Ingestion.Omop.Tests;

/// <summary>preceding_visit_occurrence_id: per person, the visit that started before, ties broken by key.</summary>
public sealed class PrecedingVisitBuilderTests
{
    [Fact]
    public void Each_visit_gets_the_same_person_previous_visit_by_start_then_key()
    {
        var visits = new PrecedingVisitBuilder();
        visits.Add(30, personId: 1, startTicks: 300);
        visits.Add(10, personId: 1, startTicks: 100);
        visits.Add(20, personId: 1, startTicks: 100); // same start as 10: ordered after it by key
        visits.Add(99, personId: 2, startTicks: 200); // another person's visit in between is not taken

        var preceding = visits.Preceding();

        Assert.Equal(new Dictionary<long, long> { [20] = 10, [30] = 20 }, preceding);
    }

    [Fact]
    public void A_visit_added_again_replaces_the_earlier_entry()
    {
        var visits = new PrecedingVisitBuilder();
        visits.Add(10, 1, 100);
        visits.Add(20, 1, 200);
        visits.Add(10, 1, 300); // the newer row of visit 10 starts later

        Assert.Equal(new Dictionary<long, long> { [10] = 20 }, visits.Preceding());
        Assert.Equal(2, visits.Count);
    }

    [Fact]
    public void The_start_is_the_datetime_else_the_date_at_midnight()
    {
        var row = new object?[CdmTables.VisitOccurrence.Columns.Count];
        row[CdmTables.VisitOccurrence.IndexOf("visit_start_date")] = new DateOnly(2023, 3, 1);
        Assert.Equal(new DateTime(2023, 3, 1).Ticks, PrecedingVisitBuilder.StartTicksOf(TypedRow.Of(CdmTables.VisitOccurrence, row), 0));
        row[CdmTables.VisitOccurrence.IndexOf("visit_start_datetime")] = new DateTime(2023, 3, 1, 9, 0, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2023, 3, 1, 9, 0, 0).Ticks, PrecedingVisitBuilder.StartTicksOf(TypedRow.Of(CdmTables.VisitOccurrence, row), 0));
    }
}
