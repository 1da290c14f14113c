using System.Globalization;
using System.Text;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The keys of every referenced table (<see cref="CdmForeignKeys.ReferencedTables"/>) that a run's committed view
/// holds: the run's own rows that survive the integrity pass, plus, for an incremental run, the keys of the source's
/// earlier runs (merged, staged under <see cref="RowKeyStaging.MergedPathOf"/> for the next run). The merged visits also
/// carry their person, start and the part holding their committed row, for preceding_visit_occurrence_id
/// (<see cref="PrecedingVisitPass"/>, which holds them on disk). Memory grows with these keys, not with event rows.
/// </summary>
internal sealed class RunKeySets
{
    private readonly Dictionary<string, HashSet<long>> _keys = CdmForeignKeys.ReferencedTables.ToDictionary(t => t.Name, _ => new HashSet<long>(), StringComparer.Ordinal);

    public bool Contains(OmopTable table, long key) => _keys.TryGetValue(table.Name, out var keys) && keys.Contains(key);

    public void Add(OmopTable table, long key) => _keys[table.Name].Add(key);

    /// <summary>The key set of a referenced table, looked up once by callers that test many keys (the set is only ever
    /// added to, never replaced).</summary>
    public HashSet<long> SetOf(OmopTable table) => _keys[table.Name];

    public int Count(OmopTable table) => _keys[table.Name].Count;

    /// <summary>Adds the merged keys a previous run staged, its visits also to <paramref name="visits"/>; a run without
    /// them (published before this staging existed) adds nothing.</summary>
    public async Task AddMergedAsync(ILake lake, string runId, PrecedingVisitPass visits, CancellationToken cancellationToken)
    {
        foreach (var table in CdmForeignKeys.ReferencedTables)
        {
            var path = RowKeyStaging.MergedPathOf(runId, table);
            if (await lake.GetAsync(path, cancellationToken).ConfigureAwait(false) is null) continue;
            await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var isVisits = ReferenceEquals(table, CdmTables.VisitOccurrence);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) continue;
                // The part path comes last, so it may hold any character.
                var cells = line.Split(',', 4);
                var key = long.Parse(cells[0], CultureInfo.InvariantCulture);
                Add(table, key);
                if (!isVisits) continue;
                await visits.AddEarlierAsync(key, long.Parse(cells[1], CultureInfo.InvariantCulture), long.Parse(cells[2], CultureInfo.InvariantCulture),
                    cells.Length > 3 && cells[3].Length > 0 ? cells[3] : null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stages these keys for the next incremental run; the visits from <paramref name="visits"/> (the committed
    /// view's, in visit order) as key,person,startTicks,partPath.</summary>
    public async Task WriteMergedAsync(ILake lake, string runId, IAsyncEnumerable<(long Visit, long Person, long StartTicks, string? Part)> visits,
        CancellationToken cancellationToken)
    {
        foreach (var table in CdmForeignKeys.ReferencedTables)
        {
            await using var upload = await lake.StartUploadAsync(RowKeyStaging.MergedPathOf(runId, table), LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
            await using (var writer = new StreamWriter(upload.Content, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
            {
                if (ReferenceEquals(table, CdmTables.VisitOccurrence))
                {
                    await foreach (var (visit, person, start, part) in visits.WithCancellation(cancellationToken).ConfigureAwait(false))
                        await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{visit},{person},{start},{part}")).ConfigureAwait(false);
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
