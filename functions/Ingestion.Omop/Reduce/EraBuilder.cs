using System.Globalization;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// The fan-in reduce for condition_era and drug_era from staged <see cref="CdmTables.EraEvents"/> rows
/// (<see cref="EraCollapser"/>: 30-day persistence window). An event seen again (same event_id: the resource in two
/// files or again in a later run) replaces the earlier copy, so it counts once. drug_era is per RxNorm ingredient, as
/// the OHDSI script: each exposure joins the era of every ingredient its drug concept rolls up to
/// (<see cref="DrugIngredients"/>; a combination drug counts in each), and a drug without an ingredient forms eras of its
/// own standard concept (docs/omop-mapping.md, "Eras"). Era keys are pseudonyms of (person, concept, start) in the era's
/// own domain, so a re-run writes the same ids. Memory grows with the events added: the fan-in adds one person's events
/// at a time (from a sort by person) and clears the builder before the next person's.
/// </summary>
public sealed class EraBuilder(IDeidentifier deidentifier, DrugIngredients? ingredients = null)
{
    private readonly Dictionary<long, (string Kind, long Person, int Concept, DateOnly Start, DateOnly End)> _events = new();

    public int EventCount => _events.Count;

    /// <summary>Adds an era_events row; a later row with the same event_id replaces the earlier one.</summary>
    public void Add(object?[] eraEvent)
    {
        ArgumentNullException.ThrowIfNull(eraEvent);
        if (eraEvent is not [string kind, long eventId, long person, int concept, DateOnly start, DateOnly end])
            throw new ArgumentException("Rows must follow CdmTables.EraEvents.", nameof(eraEvent));
        Add(kind, eventId, person, concept, start, end);
    }

    /// <summary>Adds an era event given as its columns; a later event with the same event_id replaces the earlier one.</summary>
    public void Add(string kind, long eventId, long person, int concept, DateOnly start, DateOnly end)
    {
        if (kind is not (EraEvents.Condition or EraEvents.Drug))
            throw new ArgumentException("era_kind must be 'condition' or 'drug'.", nameof(kind));
        _events[eventId] = (kind, person, concept, start, end);
    }

    /// <summary>Forgets every event added (the next person's events follow).</summary>
    public void Clear() => _events.Clear();

    /// <summary>The events added so far as era_events rows (the merged staging an incremental run starts from).</summary>
    public IEnumerable<object?[]> Events() => _events.OrderBy(kv => kv.Key)
        .Select(kv => new object?[] { kv.Value.Kind, kv.Key, kv.Value.Person, kv.Value.Concept, kv.Value.Start, kv.Value.End });

    /// <summary>condition_era rows ordered by person, concept and start.</summary>
    public IEnumerable<object?[]> ConditionEras()
    {
        foreach (var ((person, concept), intervals) in Group(EraEvents.Condition, c => [c]))
        {
            foreach (var era in EraCollapser.Collapse(intervals))
                yield return [Key(OmopKeyDomain.ConditionEra, person, concept, era.Start), person, concept, era.Start, era.End, era.Count];
        }
    }

    /// <summary>drug_era rows ordered by person, ingredient (or, without one, drug concept) and start.</summary>
    public IEnumerable<object?[]> DrugEras()
    {
        foreach (var ((person, concept), intervals) in Group(EraEvents.Drug, IngredientsOf))
        {
            foreach (var era in EraCollapser.Collapse(intervals))
                yield return [Key(OmopKeyDomain.DrugEra, person, concept, era.Start), person, concept, era.Start, era.End, era.Count, era.GapDays];
        }
    }

    /// <summary>
    /// deletions rows (resource_type and omop_table = the era table) for the eras <paramref name="previous"/> (the
    /// builder of the previous published run's events) produced and this one no longer does: an event that bridges or
    /// extends earlier eras gives an era with another start, so another key, and the committed view (newest row per
    /// key) would otherwise keep the old era next to the new one.
    /// </summary>
    public IEnumerable<object?[]> DeletionsSince(EraBuilder previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        foreach (var (table, now, before) in new[] { (CdmTables.ConditionEra.Name, ConditionEras(), previous.ConditionEras()), (CdmTables.DrugEra.Name, DrugEras(), previous.DrugEras()) })
        {
            var current = now.Select(e => (long)e[0]!).ToHashSet();
            foreach (var key in before.Select(e => (long)e[0]!).Where(k => !current.Contains(k)).Distinct())
                yield return [table, table, key, null];
        }
    }

    private IReadOnlyList<int> IngredientsOf(int drugConcept) =>
        ingredients?.Of(drugConcept) is { Count: > 0 } found ? found : [drugConcept];

    private IEnumerable<KeyValuePair<(long Person, int Concept), List<(DateOnly Start, DateOnly End)>>> Group(string kind, Func<int, IReadOnlyList<int>> conceptsOf)
    {
        var groups = new Dictionary<(long Person, int Concept), List<(DateOnly Start, DateOnly End)>>();
        foreach (var e in _events.Values)
        {
            if (e.Kind != kind) continue;
            foreach (var concept in conceptsOf(e.Concept))
            {
                var key = (e.Person, concept);
                if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
                list.Add((e.Start, e.End));
            }
        }
        return groups.OrderBy(kv => kv.Key);
    }

    private long Key(OmopKeyDomain domain, long person, int concept, DateOnly start) =>
        deidentifier.PseudonymousId(domain, string.Create(CultureInfo.InvariantCulture, $"{person}/{concept}/{start:yyyy-MM-dd}"));
}
