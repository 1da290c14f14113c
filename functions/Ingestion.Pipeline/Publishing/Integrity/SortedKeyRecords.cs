namespace Ingestion.Pipeline.Publishing;

/// <summary>A staged row's key and its table (index in <see cref="Omop.CdmTables.All"/>), sorted by table then key so
/// the rows sharing a key come out next to each other (the integrity pass's duplicates).</summary>
internal readonly record struct TableKey(long Key, int Table);

internal readonly struct TableKeyOrder : IRadixOrder<TableKey>
{
    public int Compare(TableKey x, TableKey y) => x.Table != y.Table ? x.Table.CompareTo(y.Table) : x.Key.CompareTo(y.Key);

    public int Words => 2;

    public ulong Word(in TableKey record, int word) => word == 0 ? RadixWord.Of(record.Table) : RadixWord.Of(record.Key);
}

/// <summary>A row of a referenced table (index in <see cref="Omop.CdmForeignKeys.ReferencedTables"/>) with its required
/// references (<paramref name="First"/>, <paramref name="Second"/>, present per bit of <paramref name="Present"/>),
/// sorted by table, key and staging order: the tables come out in dependency order and the last staged row of a key
/// last.</summary>
internal readonly record struct ReferencedRow(long Key, long Sequence, long First, long Second, int Table, int Present);

internal readonly struct ReferencedRowOrder : IRadixOrder<ReferencedRow>
{
    public int Compare(ReferencedRow x, ReferencedRow y) =>
        x.Table != y.Table ? x.Table.CompareTo(y.Table) : x.Key != y.Key ? x.Key.CompareTo(y.Key) : x.Sequence.CompareTo(y.Sequence);

    public int Words => 3;

    public ulong Word(in ReferencedRow record, int word) =>
        word == 0 ? RadixWord.Of(record.Table) : word == 1 ? RadixWord.Of(record.Key) : RadixWord.Of(record.Sequence);
}
