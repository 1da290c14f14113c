using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Privacy;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The fan-in's condition_era, drug_era and era deletions from the staged era events (<see cref="EraEventStaging"/>),
/// one person at a time, so memory does not grow with the run. <see cref="SortAsync"/> (needs nothing of the
/// integrity pass, so it runs beside it) sorts every event by event_id in read order — the previous run's merged events
/// first, then the files in index order, so the newest copy of an event wins — keeps the last copy of each, writes them
/// as the run's merged events and sorts those by person; an incremental run also sorts the previous run's merged events
/// by person. <see cref="WriteAsync"/> then feeds one person's events at a time to an <see cref="EraBuilder"/> (and,
/// incremental, the previous run's to another, for the eras this run merged away). Memory: the sorts' buffers and one
/// person's events.
/// </summary>
internal sealed class EraEventsReduce(ILake lake, IDeidentifier deidentifier, DrugIngredients? ingredients, PipelineOptions options) : IAsyncDisposable
{
    /// <summary>Events read from a staged file at a time.</summary>
    private const int ReadBatch = 1024;

    /// <summary>48-byte sort records: a few MB per sort whatever the run (the integrity pass's sorts take the option's full length).</summary>
    private readonly int _runLength = Math.Min(options.FanInSortRunLength, 1 << 16);

    private SpilledSort<SortedEraEvent, MajorThenMinor>? _byPerson;
    private SpilledSort<SortedEraEvent, MajorThenMinor>? _previousByPerson;

    /// <summary>Events kept after removing repeated copies (this run's merged events).</summary>
    public long MergedEvents { get; private set; }

    /// <summary>Reads this run's staged events (and <paramref name="previousRunId"/>'s merged ones), writes the run's
    /// merged events and sorts them by person for <see cref="WriteAsync"/>.</summary>
    public async Task SortAsync(string runId, IEnumerable<string> filePaths, string? previousRunId, CancellationToken cancellationToken)
    {
        _byPerson = new SpilledSort<SortedEraEvent, MajorThenMinor>(_runLength, options.FanInSortDirectory);
        var sequence = 0L;
        await using (var byEvent = new SpilledSort<SortedEraEvent, MajorThenMinor>(_runLength, options.FanInSortDirectory))
        {
            var batch = new StagedEraEvent[ReadBatch];
            if (previousRunId is not null)
            {
                _previousByPerson = new SpilledSort<SortedEraEvent, MajorThenMinor>(_runLength, options.FanInSortDirectory);
                // After an upgrade the predecessor's merged events may be an older build's text file (read once: this run writes binary).
                var previous = EraEventStaging.MergedPathOf(previousRunId);
                var events = await LegacyMergedStaging.FindAsync(lake, previous, cancellationToken).ConfigureAwait(false) is { } text
                    ? LegacyMergedStaging.ReadEraEventsAsync(lake, text, cancellationToken) : ReadAsync(previous, batch, cancellationToken);
                await foreach (var e in events.ConfigureAwait(false))
                {
                    await byEvent.AddAsync(SortedEraEvent.ByEvent(e, sequence++), cancellationToken).ConfigureAwait(false);
                    await _previousByPerson.AddAsync(SortedEraEvent.ByPerson(e), cancellationToken).ConfigureAwait(false);
                }
            }
            foreach (var path in filePaths)
            {
                await foreach (var e in ReadAsync(path, batch, cancellationToken).ConfigureAwait(false))
                    await byEvent.AddAsync(SortedEraEvent.ByEvent(e, sequence++), cancellationToken).ConfigureAwait(false);
            }

            await using var merged = EraEventStaging.Create(lake, EraEventStaging.MergedPathOf(runId));
            var last = default(StagedEraEvent);
            var any = false;
            await foreach (var next in byEvent.SortedAsync(cancellationToken).ConfigureAwait(false))
            {
                // The last copy of an event (highest sequence) is the one kept.
                if (any && next.Event.EventId != last.EventId) await KeepAsync(merged, last, cancellationToken).ConfigureAwait(false);
                (last, any) = (next.Event, true);
            }
            if (any) await KeepAsync(merged, last, cancellationToken).ConfigureAwait(false);
            await merged.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask KeepAsync(StagedBinaryFile merged, StagedEraEvent e, CancellationToken cancellationToken)
    {
        MergedEvents++;
        await EraEventStaging.WriteAsync(merged, e, cancellationToken).ConfigureAwait(false);
        await _byPerson!.AddAsync(SortedEraEvent.ByPerson(e), cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<StagedEraEvent> ReadAsync(string path, StagedEraEvent[] batch,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await EraEventStaging.OpenAsync(lake, path, cancellationToken).ConfigureAwait(false);
        if (reader is null) yield break;
        int count;
        while ((count = await reader.ReadAsync(batch, cancellationToken).ConfigureAwait(false)) > 0)
        {
            for (var i = 0; i < count; i++) yield return batch[i];
        }
    }

    /// <summary>
    /// Hands condition_era and drug_era rows to <paramref name="write"/> (with their table), ordered by person, concept
    /// and start as one builder of all events would; an incremental run (<see cref="SortAsync"/> with a previous run)
    /// also the deletions rows of the eras the previous run wrote and this one no longer does (condition_era's, then
    /// drug_era's).
    /// </summary>
    public async Task WriteAsync(Func<OmopTable, object?[], CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (_byPerson is null) throw new InvalidOperationException("The era events are not sorted yet.");
        var now = new EraBuilder(deidentifier, ingredients);
        var before = new EraBuilder(deidentifier, ingredients);
        // Deletions of drug eras follow every condition era's (the order of one builder of all events): few, held.
        var drugEraDeletions = new List<object?[]>();
        await using var current = _byPerson.SortedAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var previous = _previousByPerson?.SortedAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var hasCurrent = await current.MoveNextAsync().ConfigureAwait(false);
        var hasPrevious = previous is not null && await previous.MoveNextAsync().ConfigureAwait(false);
        while (hasCurrent || hasPrevious)
        {
            var person = hasCurrent && (!hasPrevious || current.Current.Event.Person <= previous!.Current.Event.Person) ? current.Current.Event.Person : previous!.Current.Event.Person;
            now.Clear();
            before.Clear();
            for (; hasCurrent && current.Current.Event.Person == person; hasCurrent = await current.MoveNextAsync().ConfigureAwait(false)) Add(now, current.Current.Event);
            for (; hasPrevious && previous!.Current.Event.Person == person; hasPrevious = await previous.MoveNextAsync().ConfigureAwait(false)) Add(before, previous.Current.Event);
            foreach (var era in now.ConditionEras())
            {
                await write(CdmTables.ConditionEra, era, cancellationToken).ConfigureAwait(false);
            }
            foreach (var era in now.DrugEras())
            {
                await write(CdmTables.DrugEra, era, cancellationToken).ConfigureAwait(false);
            }
            if (before.EventCount == 0) continue;
            foreach (var deleted in now.DeletionsSince(before))
            {
                if ((string)deleted[1]! == CdmTables.ConditionEra.Name) await write(CdmTables.Deletions, deleted, cancellationToken).ConfigureAwait(false);
                else drugEraDeletions.Add(deleted);
            }
        }
        foreach (var deleted in drugEraDeletions) await write(CdmTables.Deletions, deleted, cancellationToken).ConfigureAwait(false);
    }

    private static void Add(EraBuilder builder, in StagedEraEvent e) => builder.Add(e.KindName, e.EventId, e.Person, e.Concept, e.Start, e.End);

    public async ValueTask DisposeAsync()
    {
        if (_byPerson is not null) await _byPerson.DisposeAsync().ConfigureAwait(false);
        if (_previousByPerson is not null) await _previousByPerson.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>An event under its sort key: (event_id, position in read order) to keep the last copy of each event,
    /// (person, event_id) to bring one person's events together. One record and one order for every sort of the
    /// reduce, so the sort's code is compiled once.</summary>
    private readonly record struct SortedEraEvent(long Major, long Minor, StagedEraEvent Event)
    {
        public static SortedEraEvent ByEvent(in StagedEraEvent e, long sequence) => new(e.EventId, sequence, e);

        public static SortedEraEvent ByPerson(in StagedEraEvent e) => new(e.Person, e.EventId, e);
    }

    private readonly struct MajorThenMinor : IRadixOrder<SortedEraEvent>
    {
        public int Compare(SortedEraEvent x, SortedEraEvent y)
        {
            var c = x.Major.CompareTo(y.Major);
            return c != 0 ? c : x.Minor.CompareTo(y.Minor);
        }

        public int Words => 2;

        public ulong Word(in SortedEraEvent record, int word) => RadixWord.Of(word == 0 ? record.Major : record.Minor);
    }
}
