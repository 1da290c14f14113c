namespace Ingestion.Pipeline.Activities;

/// <summary>A record kind of a binary staged file (<see cref="StagedRecordReader{T}"/>): its format header and how
/// it decodes from the file's bytes.</summary>
internal interface IStagedRecord<TSelf> where TSelf : IStagedRecord<TSelf>
{
    static abstract StagedFileFormat Format { get; }

    /// <summary>Bytes of the record that starts at <paramref name="bytes"/>; 0 when <paramref name="bytes"/> is too
    /// short to tell. Throws <see cref="StagingFormatException.Corrupt"/> when the record cannot be one.</summary>
    static abstract int SizeOf(ReadOnlySpan<byte> bytes, string path);

    /// <summary>Decodes one record (exactly its <see cref="SizeOf"/> bytes).</summary>
    static abstract TSelf Decode(ReadOnlySpan<byte> bytes);
}
