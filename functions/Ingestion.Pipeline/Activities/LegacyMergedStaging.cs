using System.Globalization;
using System.Text;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Reads a previous run's <b>merged</b> era events and person dates in the text form builds before the binary staging
/// format wrote (<see cref="StagedFileFormat.LegacyTextPathOf"/>, format version 1): era events as the old
/// <c>StagedRowCodec</c> line of a <see cref="CdmTables.EraEvents"/> row (<c>s&lt;kind&gt;,event_id,person_id,concept_id,yyyy-MM-dd,yyyy-MM-dd</c>),
/// person dates as <c>person_id,yyyy-MM-dd,yyyy-MM-dd</c>.
/// <para>Why: merged staging outlives its run (the next incremental run starts from it), so without this the first
/// incremental run after the upgrade, and every nightly one after it, would fail until an operator ran a full export.
/// That run writes its own merged staging in the binary form, so each source's text files are read at most once. Per-file
/// staging is transient and another build's stays an error. Delete this file (and its callers' fallback) once every
/// source has run once on a build with the binary format.</para>
/// A line that does not decode fails with <see cref="StagingFormatException.Corrupt"/> naming the path and line number,
/// never its content.
/// </summary>
internal static class LegacyMergedStaging
{
    /// <summary>The older build's text file standing for <paramref name="mergedPath"/>: when the binary file does not
    /// exist and the text one does; else null (read the binary file, or nothing).</summary>
    public static async Task<string?> FindAsync(ILake lake, string mergedPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        if (await lake.GetAsync(mergedPath, cancellationToken).ConfigureAwait(false) is not null) return null;
        var text = StagedFileFormat.LegacyTextPathOf(mergedPath);
        return text != mergedPath && await lake.GetAsync(text, cancellationToken).ConfigureAwait(false) is not null ? text : null;
    }

    /// <summary>The era events of a text merged file, in file order.</summary>
    public static IAsyncEnumerable<StagedEraEvent> ReadEraEventsAsync(ILake lake, string textPath, CancellationToken cancellationToken) =>
        ReadAsync<StagedEraEvent>(lake, textPath, EraEventStaging.Format, TryDecodeEraEvent, cancellationToken);

    /// <summary>The person date bounds of a text merged file, in file order.</summary>
    public static IAsyncEnumerable<StagedPersonDates> ReadPersonDatesAsync(ILake lake, string textPath, CancellationToken cancellationToken) =>
        ReadAsync<StagedPersonDates>(lake, textPath, PersonDatesStaging.Format, TryDecodePersonDates, cancellationToken);

    private delegate bool LineDecoder<T>(ReadOnlySpan<char> line, out T record);

    private static async IAsyncEnumerable<T> ReadAsync<T>(ILake lake, string path, StagedFileFormat format, LineDecoder<T> decode,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (line.Length == 0) continue;
            // The message names the line, never its content (ids and dates of patients).
            if (!decode(line, out var record)) throw format.Corrupt(path, $"line {number} does not decode as the text format of older builds");
            yield return record;
        }
    }

    /// <summary>era_kind (text: 's' then the percent-encoded value), event_id, person_id, concept_id, start_date, end_date.</summary>
    private static bool TryDecodeEraEvent(ReadOnlySpan<char> line, out StagedEraEvent record)
    {
        record = default;
        Span<Range> cells = stackalloc Range[7];
        if (line.Split(cells, ',') != 6) return false;
        var kindCell = line[cells[0]];
        var kind = kindCell.SequenceEqual("s" + EraEvents.Condition) ? StagedEraEvent.ConditionKind
            : kindCell.SequenceEqual("s" + EraEvents.Drug) ? StagedEraEvent.DrugKind : -1;
        if (kind < 0 || !TryInt64(line[cells[1]], out var eventId) || !TryInt64(line[cells[2]], out var person)
            || !int.TryParse(line[cells[3]], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var concept)
            || !TryDate(line[cells[4]], out var start) || !TryDate(line[cells[5]], out var end)) return false;
        record = new StagedEraEvent(kind, eventId, person, concept, start.DayNumber, end.DayNumber);
        return true;
    }

    /// <summary>person_id, min_date, max_date.</summary>
    private static bool TryDecodePersonDates(ReadOnlySpan<char> line, out StagedPersonDates record)
    {
        record = default;
        Span<Range> cells = stackalloc Range[4];
        if (line.Split(cells, ',') != 3 || !TryInt64(line[cells[0]], out var person) || !TryDate(line[cells[1]], out var min)
            || !TryDate(line[cells[2]], out var max)) return false;
        record = new StagedPersonDates(person, min, max);
        return true;
    }

    private static bool TryInt64(ReadOnlySpan<char> cell, out long value) =>
        long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryDate(ReadOnlySpan<char> cell, out DateOnly value) =>
        DateOnly.TryParseExact(cell, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
}
