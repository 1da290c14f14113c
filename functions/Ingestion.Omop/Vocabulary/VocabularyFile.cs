using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using static Ingestion.Omop.VocabularyFileLayout;

namespace Ingestion.Omop;

/// <summary>
/// A compiled vocabulary file, memory-mapped: opening reads only the header and the id dictionaries, lookups touch
/// a hash slot, a 32-byte record and the code bytes. Build one from an Athena download with <see cref="BuildAsync"/>.
/// </summary>
public sealed unsafe class VocabularyFile : IVocabulary, IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly GCHandle _pin;
    private readonly byte* _base;
    private readonly long _length;
    private readonly byte* _records, _pool;
    private readonly int* _slots, _targets;
    private readonly int _mask, _targetCount;
    private readonly long _poolLength;
    private readonly string[] _vocabularyIds, _domainIds;
    private readonly Dictionary<string, int> _vocabularyIndex;
    // Codes already looked up, per vocabulary: a hospital's data repeats a few thousand codes millions of times, and
    // a hit here avoids the cache/TLB misses of a probe into a multi-GB map (slot, record, code bytes). Bounded;
    // Handle -1 = not in the vocabulary.
    private readonly ConcurrentDictionary<string, Concept>.AlternateLookup<ReadOnlySpan<char>>[] _seenCodes;
    private readonly int[] _seenCounts;
    // Targets already resolved, by position in the target array: the standard concepts of the hot codes.
    private readonly ConcurrentDictionary<int, Concept> _seenTargets = new();
    private int _seenTargetCount;
    private const int SeenTargets = 262_144;
    private const int SeenCodesPerVocabulary = 65_536;
    private bool _disposed;

    public string Version { get; }
    public int ConceptCount { get; }
    public IReadOnlyList<string> VocabularyIds => _vocabularyIds;

    private VocabularyFile(MemoryMappedFile? map, MemoryMappedViewAccessor? view, GCHandle pin, byte* basePointer, long length)
    {
        _map = map;
        _view = view;
        _pin = pin;
        _base = basePointer;
        _length = length;
        var header = new ReadOnlySpan<byte>(basePointer, (int)Math.Min(length, HeaderSize));
        if (header.Length < HeaderSize || !header[..8].SequenceEqual(Magic))
            throw new VocabularyFormatException("NotAVocabularyFile", "the file is not a compiled vocabulary (bad magic).");
        if (BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != FormatVersion)
            throw new VocabularyFormatException("UnsupportedFormatVersion", "the vocabulary file has an unsupported format version; rebuild it with `vocab build`.");
        ConceptCount = BinaryPrimitives.ReadInt32LittleEndian(header[HConceptCount..]);
        var slots = BinaryPrimitives.ReadInt32LittleEndian(header[HHashSlots..]);
        _targetCount = BinaryPrimitives.ReadInt32LittleEndian(header[HTargetCount..]);
        var vocabularies = BinaryPrimitives.ReadInt32LittleEndian(header[HVocabularyCount..]);
        var domains = BinaryPrimitives.ReadInt32LittleEndian(header[HDomainCount..]);
        var dictionaryOffset = BinaryPrimitives.ReadInt64LittleEndian(header[HDictionaryOffset..]);
        var conceptsOffset = BinaryPrimitives.ReadInt64LittleEndian(header[HConceptsOffset..]);
        var hashOffset = BinaryPrimitives.ReadInt64LittleEndian(header[HHashOffset..]);
        var targetsOffset = BinaryPrimitives.ReadInt64LittleEndian(header[HTargetsOffset..]);
        var poolOffset = BinaryPrimitives.ReadInt64LittleEndian(header[HPoolOffset..]);
        _poolLength = BinaryPrimitives.ReadInt64LittleEndian(header[HPoolLength..]);
        if (slots <= 0 || (slots & (slots - 1)) != 0 || conceptsOffset + (long)ConceptCount * RecordSize > hashOffset
            || hashOffset + (long)slots * 4 > targetsOffset || targetsOffset + (long)_targetCount * 4 > poolOffset || poolOffset + _poolLength > length)
            throw new VocabularyFormatException("Truncated", "the vocabulary file is truncated or its sections overlap.");
        _mask = slots - 1;
        _records = basePointer + conceptsOffset;
        _slots = (int*)(basePointer + hashOffset);
        _targets = (int*)(basePointer + targetsOffset);
        _pool = basePointer + poolOffset;

        var cursor = basePointer + dictionaryOffset;
        _vocabularyIds = ReadStrings(ref cursor, vocabularies);
        _domainIds = ReadStrings(ref cursor, domains);
        Version = ReadStrings(ref cursor, 1)[0];
        _vocabularyIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _vocabularyIds.Length; i++) _vocabularyIndex[_vocabularyIds[i]] = i;
        _seenCodes = new ConcurrentDictionary<string, Concept>.AlternateLookup<ReadOnlySpan<char>>[_vocabularyIds.Length];
        for (var i = 0; i < _seenCodes.Length; i++)
            _seenCodes[i] = new ConcurrentDictionary<string, Concept>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _seenCounts = new int[_vocabularyIds.Length];
    }

    /// <summary>Maps a compiled vocabulary file read-only.</summary>
    public static VocabularyFile Open(string path)
    {
        var length = new FileInfo(path).Length;
        if (length < HeaderSize) throw new VocabularyFormatException("NotAVocabularyFile", $"{path} is too short to be a vocabulary file.");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new VocabularyFile(map, view, default, pointer + view.PointerOffset, length);
        }
        catch
        {
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Wraps a compiled image held in memory (the built-in starter vocabulary).</summary>
    internal static VocabularyFile FromImage(byte[] image)
    {
        var pin = GCHandle.Alloc(image, GCHandleType.Pinned);
        try
        {
            return new VocabularyFile(null, null, pin, (byte*)pin.AddrOfPinnedObject(), image.Length);
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    /// <summary>
    /// Compiles CONCEPT.csv, CONCEPT_RELATIONSHIP.csv and (for the version) VOCABULARY.csv of an Athena download
    /// (tab-delimited) or of a comma-separated export into <paramref name="outFile"/>. Written to a temporary file
    /// first, so a failed build never leaves a half-written vocabulary behind.
    /// </summary>
    public static Task BuildAsync(string athenaFolder, string outFile, CancellationToken cancellationToken) =>
        AthenaDownload.CompileAsync(athenaFolder, outFile, cancellationToken);

    public bool TryGetSourceConcept(string vocabularyId, ReadOnlySpan<char> conceptCode, out Concept concept)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_vocabularyIndex.TryGetValue(vocabularyId, out var vocabulary) || conceptCode.IsEmpty)
        {
            concept = default;
            return false;
        }
        var seen = _seenCodes[vocabulary];
        if (!seen.TryGetValue(conceptCode, out concept))
        {
            var index = Probe(vocabulary, conceptCode);
            concept = index < 0 ? new Concept(0, vocabularyId, "", false) { Handle = -1 } : ConceptAt(index);
            if (Interlocked.Increment(ref _seenCounts[vocabulary]) <= SeenCodesPerVocabulary) seen.TryAdd(conceptCode, concept);
        }
        if (concept.Handle < 0)
        {
            concept = default;
            return false;
        }
        return true;
    }

    /// <summary>The record index of (vocabulary, code) in the hash table, or -1.</summary>
    private int Probe(int vocabulary, ReadOnlySpan<char> conceptCode)
    {
        // Codes are ASCII in every Athena vocabulary; transcoding on the stack keeps the lookup allocation-free.
        Span<byte> buffer = conceptCode.Length <= 128 ? stackalloc byte[conceptCode.Length * 3] : new byte[conceptCode.Length * 3];
        var code = buffer[..Encoding.UTF8.GetBytes(conceptCode, buffer)];
        var slot = (int)(Hash(vocabulary, code) & (uint)_mask);
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0) return -1;
            var record = _records + (long)(entry - 1) * RecordSize;
            if (*(ushort*)(record + RVocabulary) == vocabulary
                && *(ushort*)(record + RCodeLength) == code.Length
                && new ReadOnlySpan<byte>(_pool + *(int*)(record + RCodeOffset), code.Length).SequenceEqual(code))
                return entry - 1;
            slot = (slot + 1) & _mask;
        }
    }

    public bool TryGetConcept(int conceptId, out Concept concept)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int low = 0, high = ConceptCount - 1;
        while (low <= high)
        {
            var mid = (int)(((uint)low + (uint)high) >> 1);
            var id = *(int*)(_records + (long)mid * RecordSize);
            if (id == conceptId)
            {
                concept = ConceptAt(mid);
                return true;
            }
            if (id < conceptId) low = mid + 1; else high = mid - 1;
        }
        concept = default;
        return false;
    }

    public int TargetCount(in Concept source, ConceptRelationship relationship)
    {
        CheckOwner(source);
        return CountOf(source, relationship);
    }

    private static int CountOf(in Concept source, ConceptRelationship relationship) => relationship switch
    {
        ConceptRelationship.MapsTo => source.MapsToCount,
        ConceptRelationship.MapsToValue => source.MapsToValueCount,
        _ => source.IngredientCount,
    };

    public Concept Target(in Concept source, ConceptRelationship relationship, int index)
    {
        CheckOwner(source);
        if ((uint)index >= (uint)CountOf(source, relationship)) throw new ArgumentOutOfRangeException(nameof(index));
        var position = source.TargetsStart + relationship switch
        {
            ConceptRelationship.MapsTo => 0,
            ConceptRelationship.MapsToValue => source.MapsToCount,
            _ => source.MapsToCount + source.MapsToValueCount,
        } + index;
        if (_seenTargets.TryGetValue(position, out var target)) return target;
        target = ConceptAt(_targets[position]);
        if (Interlocked.Increment(ref _seenTargetCount) <= SeenTargets) _seenTargets.TryAdd(position, target);
        return target;
    }

    private void CheckOwner(in Concept concept)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!ReferenceEquals(concept.Owner, this)) throw new ArgumentException("The concept does not come from this vocabulary.", nameof(concept));
    }

    public string ConceptCode(in Concept concept)
    {
        var record = RecordOf(concept);
        return Encoding.UTF8.GetString(_pool + *(int*)(record + RCodeOffset), *(ushort*)(record + RCodeLength));
    }

    public string ConceptName(in Concept concept)
    {
        var record = RecordOf(concept);
        return Encoding.UTF8.GetString(_pool + *(int*)(record + RNameOffset), *(ushort*)(record + RNameLength));
    }

    private Concept ConceptAt(int index)
    {
        var record = _records + (long)index * RecordSize;
        return new Concept(*(int*)record, _vocabularyIds[*(ushort*)(record + RVocabulary)], _domainIds[*(ushort*)(record + RDomain)],
            record[RStandard] == VocabularyFileLayout.Standard)
        {
            Handle = index,
            Owner = this,
            TargetsStart = *(int*)(record + RTargetsStart),
            MapsToCount = *(ushort*)(record + RMapsToCount),
            MapsToValueCount = *(ushort*)(record + RMapsToValueCount),
            IngredientCount = *(ushort*)(record + RIngredientCount),
        };
    }

    private byte* RecordOf(in Concept concept)
    {
        CheckOwner(concept);
        return _records + (long)concept.Handle * RecordSize;
    }

    private string[] ReadStrings(ref byte* cursor, int count)
    {
        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (cursor + 2 > _base + _length) throw new VocabularyFormatException("Truncated", "the vocabulary file's dictionary is truncated.");
            var n = *(ushort*)cursor;
            result[i] = Encoding.UTF8.GetString(cursor + 2, n);
            cursor += 2 + n;
        }
        return result;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
        if (_pin.IsAllocated) _pin.Free();
    }
}
