using System.Buffers.Binary;
using System.Text;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// The 16-byte header a binary staged file of one record kind starts with (little-endian): <c>uint32</c> magic,
/// <c>int32</c> format version, <c>int64</c> fingerprint of the record layout (FNV-1a 64 of its description, stable
/// across processes). A file of another kind, version or layout (a durable run resumed on another build, or the text
/// files of builds before) fails with <see cref="StagingFormatException"/> naming the path only, never misread.
/// </summary>
internal sealed class StagedFileFormat
{
    public const int HeaderBytes = 16;

    private readonly byte[] _header = new byte[HeaderBytes];

    /// <param name="description">What the files hold, for messages ("staged era events").</param>
    /// <param name="magic">Four ASCII bytes read as a little-endian <c>uint32</c>.</param>
    /// <param name="version">The record format's version.</param>
    /// <param name="layout">The record layout (field names and widths): a change writes another fingerprint.</param>
    public StagedFileFormat(string description, uint magic, int version, string layout)
    {
        Description = description;
        Magic = magic;
        Version = version;
        Fingerprint = Fnv1a(layout);
        BinaryPrimitives.WriteUInt32LittleEndian(_header, magic);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(4), version);
        BinaryPrimitives.WriteInt64LittleEndian(_header.AsSpan(8), Fingerprint);
    }

    public string Description { get; }

    public uint Magic { get; }

    public int Version { get; }

    public long Fingerprint { get; }

    /// <summary>The header to write first (<see cref="StagedBinaryFile"/>).</summary>
    public ReadOnlyMemory<byte> Header => _header;

    /// <summary>Throws <see cref="StagingFormatException.VersionMismatch"/> unless <paramref name="header"/> is this format's.</summary>
    public void Check(ReadOnlySpan<byte> header, string path)
    {
        if (header.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
            throw new StagingFormatException(path, StagingFormatException.VersionMismatch,
                $"{Capitalized} '{path}' are not in the binary format this build reads (written by an older build?). {StartOver}");
        var version = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        if (version != Version)
            throw new StagingFormatException(path, StagingFormatException.VersionMismatch,
                $"{Capitalized} '{path}' are format version {version}; this build reads version {Version}. {StartOver}");
        if (BinaryPrimitives.ReadInt64LittleEndian(header[8..]) != Fingerprint)
            throw new StagingFormatException(path, StagingFormatException.VersionMismatch,
                $"{Capitalized} '{path}' were written for another record layout than this build's. {StartOver}");
    }

    /// <summary>A <see cref="StagingFormatException.Corrupt"/> error for the file at <paramref name="path"/>.</summary>
    public StagingFormatException Corrupt(string path, string problem) =>
        new(path, StagingFormatException.Corrupt, $"{Capitalized} '{path}' {problem}.");

    /// <summary>The text-format file of builds before this format (same name, <c>.csv</c>), which a fan-in of this
    /// build must refuse rather than take for "nothing staged" (a previous run's merged era events and person dates
    /// aside: <see cref="LegacyMergedStaging"/> reads those).</summary>
    public static string LegacyTextPathOf(string path) => Path.ChangeExtension(path, ".csv");

    /// <summary>What the user does: a new run; a full one when the file is a previous run's merged staging, which an
    /// incremental run would read again.</summary>
    private const string StartOver = "Start a new run (a full run, without since, when the file is a previous run's merged staging).";

    private string Capitalized => char.ToUpperInvariant(Description[0]) + Description[1..];

    private static long Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return unchecked((long)hash);
    }
}
