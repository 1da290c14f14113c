using System.Globalization;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// The fan-in reduce for condition_era and drug_era from staged <see cref="CdmTables.EraEvents"/> rows
/// (<see cref="EraCollapser"/>: 30-day persistence window). drug_era groups by ingredient through
/// <paramref name="ingredientOf"/> (concept_ancestor to the Ingredient class); without one, by the exposure's own
/// standard drug concept (docs/omop-mapping.md, "Eras"). Era keys are pseudonyms of (person, concept, start) in the
/// era's own domain, so a re-run writes the same ids. Memory grows with the number of staged events.
/// </summary>
public sealed class EraBuilder(IDeidentifier deidentifier, Func<int, int>? ingredientOf = null)
{
    private readonly Dictionary<(long Person, int Concept), List<(DateOnly Start, DateOnly End)>> _conditions = new();
    private readonly Dictionary<(long Person, int Concept), List<(DateOnly Start, DateOnly End)>> _drugs = new();

    public int EventCount { get; private set; }

    /// <summary>Adds an era_events row.</summary>
    public void Add(object?[] eraEvent)
    {
        ArgumentNullException.ThrowIfNull(eraEvent);
        if (eraEvent is not [string kind, long person, int concept, DateOnly start, DateOnly end])
            throw new ArgumentException("Rows must follow CdmTables.EraEvents.", nameof(eraEvent));
        var target = kind switch
        {
            EraEvents.Condition => _conditions,
            EraEvents.Drug => _drugs,
            _ => throw new ArgumentException("era_kind must be 'condition' or 'drug'.", nameof(eraEvent)),
        };
        if (kind == EraEvents.Drug && ingredientOf is not null) concept = ingredientOf(concept);
        if (!target.TryGetValue((person, concept), out var list)) target[(person, concept)] = list = [];
        list.Add((start, end));
        EventCount++;
    }

    /// <summary>The events added so far as era_events rows (the merged staging an incremental run starts from).</summary>
    public IEnumerable<object?[]> Events() =>
        Rows(_conditions, EraEvents.Condition).Concat(Rows(_drugs, EraEvents.Drug));

    /// <summary>condition_era rows ordered by person, concept and start.</summary>
    public IEnumerable<object?[]> ConditionEras()
    {
        foreach (var ((person, concept), intervals) in _conditions.OrderBy(kv => kv.Key))
        {
            foreach (var era in EraCollapser.Collapse(intervals))
                yield return [Key(OmopKeyDomain.ConditionEra, person, concept, era.Start), person, concept, era.Start, era.End, era.Count];
        }
    }

    /// <summary>drug_era rows ordered by person, concept and start.</summary>
    public IEnumerable<object?[]> DrugEras()
    {
        foreach (var ((person, concept), intervals) in _drugs.OrderBy(kv => kv.Key))
        {
            foreach (var era in EraCollapser.Collapse(intervals))
                yield return [Key(OmopKeyDomain.DrugEra, person, concept, era.Start), person, concept, era.Start, era.End, era.Count, era.GapDays];
        }
    }

    private long Key(OmopKeyDomain domain, long person, int concept, DateOnly start) =>
        deidentifier.PseudonymousId(domain, string.Create(CultureInfo.InvariantCulture, $"{person}/{concept}/{start:yyyy-MM-dd}"));

    private static IEnumerable<object?[]> Rows(Dictionary<(long Person, int Concept), List<(DateOnly Start, DateOnly End)>> events, string kind) =>
        events.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value.Select(e => new object?[] { kind, kv.Key.Person, kv.Key.Concept, e.Start, e.End }));
}
