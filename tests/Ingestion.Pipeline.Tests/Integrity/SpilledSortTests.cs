using Ingestion.Pipeline.Publishing;

namespace Ingestion.Pipeline.Tests.Integrity;

/// <summary>The fan-in's external sort: the same order as an in-memory sort whether or not it spills, bounded buffer,
/// nothing left on disk.</summary>
public sealed class SpilledSortTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("spilled-sort-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(3, 10)]
    [InlineData(7, 7)]
    [InlineData(7, 8)]
    [InlineData(64, 10_000)]
    [InlineData(1, 10_000)]
    [InlineData(100_000, 10_000)]
    public async Task Records_come_out_in_order_with_duplicates_kept_whatever_the_run_length(int runLength, int records)
    {
        var random = new Random(runLength * 31 + records);
        // Few distinct keys, so runs hold duplicates across each other.
        var input = Enumerable.Range(0, records).Select(_ => new TableKey(random.Next(-50, 50) * 1_000_000_007L, random.Next(3))).ToList();
        await using var sort = new SpilledSort<TableKey, TableKeyOrder>(runLength, _root);
        foreach (var record in input) await sort.AddAsync(record, CancellationToken.None);

        var output = new List<TableKey>();
        await foreach (var record in sort.SortedAsync(CancellationToken.None)) output.Add(record);

        Assert.Equal(input.Order(Comparer<TableKey>.Create((a, b) => default(TableKeyOrder).Compare(a, b))), output);
        Assert.Equal(records, sort.Count);
        Assert.Equal(records > runLength ? (records - 1) / runLength : 0, sort.SpilledRuns);
    }

    [Theory]
    [InlineData("random", 1_000)]
    [InlineData("random", 17)]
    [InlineData("random", 2)]
    [InlineData("random", 47)]
    [InlineData("random", 48)]
    [InlineData("random", 300)]
    [InlineData("hashes", 5_000)]
    [InlineData("sorted", 5_000)]
    [InlineData("reversed", 5_000)]
    [InlineData("equal", 3_000)]
    [InlineData("sawtooth", 10_000)]
    [InlineData("organ-pipe", 10_000)]
    [InlineData("extremes", 1_000)]
    [InlineData("low-byte-keys", 5_000)]
    [InlineData("tables-only", 5_000)]
    [InlineData("sign-only", 1_000)]
    public void The_radix_sort_orders_as_the_runtime_sort_by_the_comparer_does(string shape, int length)
    {
        var random = new Random(length);
        var input = Enumerable.Range(0, length).Select(i => shape switch
        {
            "sorted" => new TableKey(i, i % 2),
            "reversed" => new TableKey(-i, 0),
            "equal" => new TableKey(7, 1),
            "sawtooth" => new TableKey(i % 37, i % 3),
            "organ-pipe" => new TableKey(Math.Min(i, length - i), 0),
            // Pseudonymous keys: every byte of the 64 bits varies, the sign too.
            "hashes" => new TableKey(random.NextInt64(long.MinValue, long.MaxValue), random.Next(20)),
            // Keys that differ in their last byte only, in one table: the sort starts at that byte.
            "low-byte-keys" => new TableKey(random.Next(256), 3),
            "tables-only" => new TableKey(42, random.Next(20)),
            "sign-only" => new TableKey(random.Next(2) == 0 ? -1 : 0, 0),
            "extremes" => new TableKey((i % 4) switch { 0 => long.MinValue, 1 => long.MaxValue, 2 => -1, _ => 0 }, (i % 3) - 1),
            _ => new TableKey(random.Next(-20, 20), random.Next(2)),
        }).ToArray();
        var expected = input.ToArray();
        Array.Sort(expected, (a, b) => default(TableKeyOrder).Compare(a, b));

        RadixSort.Sort(input.AsSpan(), default(TableKeyOrder));

        Assert.Equal(expected, input);
    }

    [Fact]
    public void The_radix_sort_orders_a_key_of_several_words_word_by_word()
    {
        var random = new Random(7);
        var input = Enumerable.Range(0, 4_000).Select(i => new ReferencedRow(random.Next(-3, 3) * (1L << 40), random.NextInt64(-5, 5), 0, 0, random.Next(-1, 3), 0)).ToArray();
        var expected = input.ToArray();
        Array.Sort(expected, (a, b) => default(ReferencedRowOrder).Compare(a, b));

        RadixSort.Sort(input.AsSpan(), default(ReferencedRowOrder));

        Assert.Equal(expected.Select(r => (r.Table, r.Key, r.Sequence)), input.Select(r => (r.Table, r.Key, r.Sequence)));
    }

    [Fact]
    public async Task A_sort_of_more_runs_than_the_merge_width_reads_them_a_bounded_number_at_a_time()
    {
        const int records = 1_000;
        await using var sort = new SpilledSort<TableKey, TableKeyOrder>(1, _root);
        for (var i = records; i > 0; i--) await sort.AddAsync(new TableKey(i, 0), CancellationToken.None);
        Assert.Equal(records - 1, Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Count());

        var keys = new List<long>();
        var filesWhileReading = 0;
        await foreach (var key in sort.SortedAsync(CancellationToken.None))
        {
            if (keys.Count == 0) filesWhileReading = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Count();
            keys.Add(key.Key);
        }

        Assert.Equal(Enumerable.Range(1, records).Select(i => (long)i), keys);
        Assert.InRange(filesWhileReading, 1, SpilledSort<TableKey, TableKeyOrder>.MaxMergeWidth - 1);
    }

    [Fact]
    public async Task A_sort_that_spilled_leaves_no_file_behind_once_disposed()
    {
        var sort = new SpilledSort<ReferencedRow, ReferencedRowOrder>(2, _root);
        for (var i = 5; i > 0; i--) await sort.AddAsync(new ReferencedRow(i, i, 0, 0, 0, 0), CancellationToken.None);
        Assert.NotEmpty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));

        var keys = new List<long>();
        await foreach (var row in sort.SortedAsync(CancellationToken.None)) keys.Add(row.Key);
        await sort.DisposeAsync();

        Assert.Equal([1, 2, 3, 4, 5], keys);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task Rows_of_one_key_come_out_in_staging_order_so_the_last_staged_is_last()
    {
        await using var sort = new SpilledSort<ReferencedRow, ReferencedRowOrder>(2, _root);
        foreach (var sequence in new long[] { 4, 0, 3, 1, 2 })
            await sort.AddAsync(new ReferencedRow(Key: 9, sequence, First: sequence * 10, Second: 0, Table: 1, Present: 1), CancellationToken.None);
        await sort.AddAsync(new ReferencedRow(Key: 9, 5, 0, 0, Table: 0, Present: 0), CancellationToken.None);

        var rows = new List<ReferencedRow>();
        await foreach (var row in sort.SortedAsync(CancellationToken.None)) rows.Add(row);

        Assert.Equal([(0, 5L), (1, 0L), (1, 1L), (1, 2L), (1, 3L), (1, 4L)], rows.Select(r => (r.Table, r.Sequence)));
        Assert.Equal(40, rows[^1].First);
    }

    [Fact]
    public async Task A_sort_is_read_once_and_takes_no_record_after_it_is_read()
    {
        await using var sort = new SpilledSort<TableKey, TableKeyOrder>(4, _root);
        await sort.AddAsync(new TableKey(1, 0), CancellationToken.None);
        await foreach (var _ in sort.SortedAsync(CancellationToken.None)) { }

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await sort.AddAsync(new TableKey(2, 0), CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => { await foreach (var _ in sort.SortedAsync(CancellationToken.None)) { } });
    }
}
