using System.Globalization;
using System.Text;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The keys of every referenced table (<see cref="CdmForeignKeys.ReferencedTables"/>) that a run's committed view
/// holds: the run's own rows that survive the integrity pass, plus, for an incremental run, the keys of the source's
/// earlier runs (merged, staged under <see cref="RowKeyStaging.MergedPathOf"/> for the next run). Visits also keep
/// their person and start for preceding_visit_occurrence_id, and the part holding their committed row. Memory grows
/// with these keys, not with event rows.
/// </summary>
internal sealed class RunKeySets
{
    private readonly Dictionary<string, HashSet<long>> _keys = CdmForeignKeys.ReferencedTables.ToDictionary(t => t.Name, _ => new HashSet<long>(), StringComparer.Ordinal);
    // The parts of the earlier runs' visits (merged keys) and of the visits written again.
    private readonly Dictionary<long, string> _visitParts = [];
    // The parts of this run's visits, sorted by visit: 16 bytes a visit, not a dictionary entry and its resizes.
    private (long Visit, string Path)[] _runVisitParts = [];
    // One string per part, however many visits it holds.
    private readonly Dictionary<string, string> _partPaths = new(StringComparer.Ordinal);

    /// <summary>Every visit of the committed view, for preceding visits.</summary>
    public PrecedingVisitBuilder Visits { get; private set; } = new();

    /// <summary>Drops the visits' starts and parts once they are staged for the next run (<see cref="WriteMergedAsync"/>);
    /// the keys stay.</summary>
    public void ReleaseVisits()
    {
        Visits = new PrecedingVisitBuilder();
        _runVisitParts = [];
        _visitParts.Clear();
        _visitParts.TrimExcess();
        _partPaths.Clear();
        _partPaths.TrimExcess();
    }

    public bool Contains(OmopTable table, long key) => _keys.TryGetValue(table.Name, out var keys) && keys.Contains(key);

    public void Add(OmopTable table, long key) => _keys[table.Name].Add(key);

    /// <summary>The key set of a referenced table, looked up once by callers that test many keys (the set is only ever
    /// added to, never replaced).</summary>
    public HashSet<long> SetOf(OmopTable table) => _keys[table.Name];

    public int Count(OmopTable table) => _keys[table.Name].Count;

    /// <summary>Records the part that holds a visit's committed row (to write it again when its predecessor changes).</summary>
    public void SetVisitPart(long visit, string path)
    {
        if (!_partPaths.TryGetValue(path, out var shared)) _partPaths[path] = shared = path;
        _visitParts[visit] = shared;
    }

    /// <summary>Records the parts holding this run's visits (they take precedence over the merged keys' parts).</summary>
    public void SetRunVisitParts((long Visit, string Path)[] parts)
    {
        Array.Sort(parts, static (a, b) => a.Visit.CompareTo(b.Visit));
        _runVisitParts = parts;
    }

    /// <summary>The part holding a visit's committed row; null when unknown (merged keys staged before locations were).</summary>
    public string? VisitPartOf(long visit)
    {
        var i = Array.BinarySearch(_runVisitParts, (visit, ""), RunVisitOrder);
        return i >= 0 ? _runVisitParts[i].Path : _visitParts.GetValueOrDefault(visit);
    }

    private static readonly IComparer<(long Visit, string Path)> RunVisitOrder = Comparer<(long Visit, string Path)>.Create(static (a, b) => a.Visit.CompareTo(b.Visit));

    /// <summary>Adds the merged keys a previous run staged; a run without them (published before this staging
    /// existed) adds nothing.</summary>
    public async Task AddMergedAsync(ILake lake, string runId, CancellationToken cancellationToken)
    {
        foreach (var table in CdmForeignKeys.ReferencedTables)
        {
            var path = RowKeyStaging.MergedPathOf(runId, table);
            if (await lake.GetAsync(path, cancellationToken).ConfigureAwait(false) is null) continue;
            await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var visits = ReferenceEquals(table, CdmTables.VisitOccurrence);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) continue;
                // The part path comes last, so it may hold any character.
                var cells = line.Split(',', 4);
                var key = long.Parse(cells[0], CultureInfo.InvariantCulture);
                Add(table, key);
                if (!visits) continue;
                Visits.Add(key, long.Parse(cells[1], CultureInfo.InvariantCulture), long.Parse(cells[2], CultureInfo.InvariantCulture));
                if (cells.Length > 3 && cells[3].Length > 0) SetVisitPart(key, cells[3]);
            }
        }
    }

    /// <summary>Stages these keys for the next incremental run (visits as key,person,startTicks,partPath).</summary>
    public async Task WriteMergedAsync(ILake lake, string runId, CancellationToken cancellationToken)
    {
        foreach (var table in CdmForeignKeys.ReferencedTables)
        {
            await using var upload = await lake.StartUploadAsync(RowKeyStaging.MergedPathOf(runId, table), LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
            await using (var writer = new StreamWriter(upload.Content, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
            {
                if (ReferenceEquals(table, CdmTables.VisitOccurrence))
                {
                    foreach (var (visit, person, start) in Visits.Visits())
                        await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{visit},{person},{start},{VisitPartOf(visit)}")).ConfigureAwait(false);
                }
                else
                {
                    foreach (var key in _keys[table.Name].Order())
                        await writer.WriteLineAsync(key.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                }
            }
            await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
