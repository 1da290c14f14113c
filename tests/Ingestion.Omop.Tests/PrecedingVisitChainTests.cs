using Ingestion.Omop;

namespace Ingestion.Omop.Tests;

/// <summary>preceding_visit_occurrence_id: per person, the visit that started before, ties broken by key, from visits
/// fed in (person, start, visit) order.</summary>
public sealed class PrecedingVisitChainTests
{
    [Fact]
    public void Each_visit_gets_the_same_person_previous_visit_by_start_then_key()
    {
        var visits = new (long Visit, long Person, long Start)[] { (30, 1, 300), (10, 1, 100), (20, 1, 100), (99, 2, 200), (5, 0, 900) };
        Array.Sort(visits, (a, b) => PrecedingVisitChain.Compare(a.Person, a.Start, a.Visit, b.Person, b.Start, b.Visit));
        var chain = new PrecedingVisitChain();

        var preceding = visits.Select(v => (v.Visit, Preceding: chain.Next(v.Person, v.Visit))).ToDictionary(p => p.Visit, p => p.Preceding);

        // 20 starts with 10 and is ordered after it by key; another person's visit in between is not taken.
        Assert.Equal(new Dictionary<long, long?> { [5] = null, [10] = null, [20] = 10, [30] = 20, [99] = null }, preceding);
    }

    [Fact]
    public void The_order_is_person_then_start_then_key()
    {
        Assert.True(PrecedingVisitChain.Compare(1, 500, 9, 2, 100, 1) < 0);
        Assert.True(PrecedingVisitChain.Compare(1, 100, 9, 1, 200, 1) < 0);
        Assert.True(PrecedingVisitChain.Compare(1, 100, 1, 1, 100, 9) < 0);
        Assert.Equal(0, PrecedingVisitChain.Compare(1, 100, 1, 1, 100, 1));
    }

    [Fact]
    public void The_start_is_the_datetime_else_the_date_at_midnight()
    {
        var row = new object?[CdmTables.VisitOccurrence.Columns.Count];
        row[CdmTables.VisitOccurrence.IndexOf("visit_start_date")] = new DateOnly(2023, 3, 1);
        Assert.Equal(new DateTime(2023, 3, 1).Ticks, PrecedingVisitChain.StartTicksOf(TypedRow.Of(CdmTables.VisitOccurrence, row), 0));
        row[CdmTables.VisitOccurrence.IndexOf("visit_start_datetime")] = new DateTime(2023, 3, 1, 9, 0, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2023, 3, 1, 9, 0, 0).Ticks, PrecedingVisitChain.StartTicksOf(TypedRow.Of(CdmTables.VisitOccurrence, row), 0));
    }
}
