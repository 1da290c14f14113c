using System.Buffers.Binary;
using System.Text;
using static Ingestion.Omop.VocabularyFileLayout;

namespace Ingestion.Omop;

/// <summary>
/// Collects concepts, "Maps to" / "Maps to value" relationships and drug → ingredient links, and writes the vocabulary file.
/// Column arrays rather than objects per concept, so a 6M-concept build stays in a few hundred MB.
/// Not thread-safe; one compiler per build.
/// </summary>
internal sealed class VocabularyCompiler
{
    private readonly List<string> _vocabularies = [];
    private readonly List<string> _domains = [];
    private readonly ChunkedBytes _pool = new();

    private int _count;
    private int[] _ids = new int[1024];
    private ushort[] _vocabulary = new ushort[1024], _domain = new ushort[1024], _codeLength = new ushort[1024], _nameLength = new ushort[1024];
    private byte[] _standard = new byte[1024], _invalid = new byte[1024];
    private int[] _codeOffset = new int[1024], _nameOffset = new int[1024];

    private int _relationshipCount;
    private int[] _from = new int[1024], _to = new int[1024];
    private byte[] _kind = new byte[1024];

    public int ConceptCount => _count;
    public int RelationshipCount => _relationshipCount;

    public ushort VocabularyIndex(string vocabularyId) => Intern(_vocabularies, vocabularyId);
    public ushort DomainIndex(string domainId) => Intern(_domains, domainId);

    public void AddConcept(int conceptId, ReadOnlySpan<byte> name, ushort domain, ushort vocabulary, byte standard, ReadOnlySpan<byte> code, bool invalid)
    {
        if (_count == _ids.Length) GrowConcepts();
        if (code.Length > ushort.MaxValue) code = code[..ushort.MaxValue];
        if (name.Length > ushort.MaxValue) name = name[..ushort.MaxValue];
        var i = _count++;
        _ids[i] = conceptId;
        _vocabulary[i] = vocabulary;
        _domain[i] = domain;
        _standard[i] = standard;
        _invalid[i] = invalid ? (byte)1 : (byte)0;
        _codeOffset[i] = _pool.Append(code);
        _codeLength[i] = (ushort)code.Length;
        _nameOffset[i] = _pool.Append(name);
        _nameLength[i] = (ushort)name.Length;
    }

    public void AddConcept(int conceptId, string name, string domainId, string vocabularyId, char standard, string code, bool invalid = false) =>
        AddConcept(conceptId, Encoding.UTF8.GetBytes(name), DomainIndex(domainId), VocabularyIndex(vocabularyId),
            standard switch { 'S' => Standard, 'C' => Classification, _ => NotStandard }, Encoding.UTF8.GetBytes(code), invalid);

    public void AddRelationship(int fromConceptId, int toConceptId, ConceptRelationship kind)
    {
        if (_relationshipCount == _from.Length)
        {
            Array.Resize(ref _from, _from.Length * 2);
            Array.Resize(ref _to, _to.Length * 2);
            Array.Resize(ref _kind, _kind.Length * 2);
        }
        _from[_relationshipCount] = fromConceptId;
        _to[_relationshipCount] = toConceptId;
        _kind[_relationshipCount++] = (byte)kind;
    }

    public async Task WriteAsync(Stream output, string version, CancellationToken cancellationToken)
    {
        // Order concepts by concept_id: the file answers concept_id lookups by binary search.
        var order = new int[_count];
        for (var i = 0; i < _count; i++) order[i] = i;
        var sortedIds = _ids.AsSpan(0, _count).ToArray();
        Array.Sort(sortedIds, order);
        for (var i = 1; i < _count; i++)
        {
            if (sortedIds[i] == sortedIds[i - 1])
                throw new VocabularyFormatException("DuplicateConceptId", $"concept_id {sortedIds[i]} occurs twice in CONCEPT.");
        }

        // Resolve and group relationship targets per source concept: (source index, kind, target index) packed as
        // 30 | 2 | 32 bits, so sorting groups them by source, then kind, then target.
        if (_count >= 1 << 30) throw new VocabularyFormatException("TooLarge", "more than 2^30 concepts");
        var keys = new List<ulong>(_relationshipCount);
        for (var r = 0; r < _relationshipCount; r++)
        {
            var from = Array.BinarySearch(sortedIds, _from[r]);
            var to = Array.BinarySearch(sortedIds, _to[r]);
            if (from < 0 || to < 0) continue; // a relationship to a concept outside the download is unusable
            keys.Add(((ulong)(uint)from << 34) | ((ulong)_kind[r] << 32) | (uint)to);
        }
        var packed = keys.ToArray();
        Array.Sort(packed);
        var targetCount = 0;
        for (var k = 0; k < packed.Length; k++)
        {
            if (k > 0 && packed[k] == packed[k - 1]) continue;
            packed[targetCount++] = packed[k];
        }

        var slots = SlotCountFor(_count);
        var dictionary = EncodeDictionary(version);
        long dictionaryOffset = HeaderSize;
        var conceptsOffset = Align(dictionaryOffset + dictionary.Length);
        var hashOffset = conceptsOffset + (long)_count * RecordSize;
        var targetsOffset = hashOffset + (long)slots * 4;
        var poolOffset = Align(targetsOffset + (long)targetCount * 4);

        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(HConceptCount), _count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(HHashSlots), slots);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(HTargetCount), targetCount);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(HVocabularyCount), _vocabularies.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(HDomainCount), _domains.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(HDictionaryOffset), dictionaryOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(HConceptsOffset), conceptsOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(HHashOffset), hashOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(HTargetsOffset), targetsOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(HPoolOffset), poolOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(HPoolLength), _pool.Length);
        await output.WriteAsync(header, cancellationToken);
        await output.WriteAsync(dictionary, cancellationToken);
        await output.WriteAsync(new byte[conceptsOffset - dictionaryOffset - dictionary.Length], cancellationToken);

        // Records, written in blocks to bound memory.
        var block = new byte[RecordSize * 4096];
        var t = 0;
        for (var start = 0; start < _count; start += 4096)
        {
            var n = Math.Min(4096, _count - start);
            Array.Clear(block);
            for (var j = 0; j < n; j++)
            {
                var sorted = start + j;
                var i = order[sorted];
                var rec = block.AsSpan(j * RecordSize, RecordSize);
                BinaryPrimitives.WriteInt32LittleEndian(rec[RConceptId..], _ids[i]);
                BinaryPrimitives.WriteUInt16LittleEndian(rec[RVocabulary..], _vocabulary[i]);
                BinaryPrimitives.WriteUInt16LittleEndian(rec[RDomain..], _domain[i]);
                rec[RStandard] = _standard[i];
                rec[RInvalid] = _invalid[i];
                BinaryPrimitives.WriteUInt16LittleEndian(rec[RCodeLength..], _codeLength[i]);
                BinaryPrimitives.WriteInt32LittleEndian(rec[RCodeOffset..], _codeOffset[i]);
                BinaryPrimitives.WriteInt32LittleEndian(rec[RNameOffset..], _nameOffset[i]);
                BinaryPrimitives.WriteUInt16LittleEndian(rec[RNameLength..], _nameLength[i]);
                while (t < targetCount && (int)(packed[t] >> 34) < sorted) t++;
                var first = t;
                int mapsTo = 0, mapsToValue = 0, ingredients = 0;
                while (t < targetCount && (int)(packed[t] >> 34) == sorted)
                {
                    switch ((ConceptRelationship)((packed[t] >> 32) & 3))
                    {
                        case ConceptRelationship.MapsTo: mapsTo++; break;
                        case ConceptRelationship.MapsToValue: mapsToValue++; break;
                        default: ingredients++; break;
                    }
                    t++;
                }
                BinaryPrimitives.WriteUInt16LittleEndian(rec[RMapsToCount..], (ushort)Math.Min(mapsTo, ushort.MaxValue));
                BinaryPrimitives.WriteInt32LittleEndian(rec[RTargetsStart..], first);
                BinaryPrimitives.WriteUInt16LittleEndian(rec[RMapsToValueCount..], (ushort)Math.Min(mapsToValue, ushort.MaxValue));
                BinaryPrimitives.WriteUInt16LittleEndian(rec[RIngredientCount..], (ushort)Math.Min(ingredients, ushort.MaxValue));
            }
            await output.WriteAsync(block.AsMemory(0, n * RecordSize), cancellationToken);
        }

        await output.WriteAsync(BuildHashTable(order, slots), cancellationToken);

        var targets = new byte[(long)targetCount * 4 > int.MaxValue ? throw new VocabularyFormatException("TooLarge", "too many relationships") : targetCount * 4];
        for (var k = 0; k < targetCount; k++) BinaryPrimitives.WriteInt32LittleEndian(targets.AsSpan(k * 4), (int)(uint)packed[k]);
        await output.WriteAsync(targets, cancellationToken);
        await output.WriteAsync(new byte[poolOffset - targetsOffset - targets.Length], cancellationToken);
        await _pool.CopyToAsync(output, cancellationToken);
    }

    private byte[] BuildHashTable(int[] order, int slots)
    {
        var table = new int[slots];
        var mask = slots - 1;
        var position = new int[_count];
        for (var sorted = 0; sorted < _count; sorted++) position[order[sorted]] = sorted;
        // Insert valid concepts first so that, where Athena repeats a (vocabulary, code) pair, the valid one answers.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_invalid[i] != pass) continue;
                var code = _pool.Slice(_codeOffset[i], _codeLength[i]);
                var slot = (int)(Hash(_vocabulary[i], code) & mask);
                var duplicate = false;
                while (table[slot] != 0)
                {
                    var other = order[table[slot] - 1];
                    if (_vocabulary[other] == _vocabulary[i] && _pool.Slice(_codeOffset[other], _codeLength[other]).SequenceEqual(code))
                    {
                        duplicate = true;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
                if (!duplicate) table[slot] = position[i] + 1;
            }
        }
        var bytes = new byte[(long)slots * 4];
        Buffer.BlockCopy(table, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian");
        return bytes;
    }

    private byte[] EncodeDictionary(string version)
    {
        using var stream = new MemoryStream();
        var length = new byte[2];
        foreach (var s in _vocabularies.Concat(_domains).Append(version))
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)bytes.Length);
            stream.Write(length);
            stream.Write(bytes);
        }
        return stream.ToArray();
    }

    private static ushort Intern(List<string> list, string value)
    {
        // Athena has ~100 vocabularies and ~50 domains: a scan beats a dictionary here and keeps order stable.
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal)) return (ushort)i;
        }
        if (list.Count == ushort.MaxValue) throw new VocabularyFormatException("TooManyIds", "more than 65535 distinct vocabulary or domain ids");
        list.Add(value);
        return (ushort)(list.Count - 1);
    }

    private static long Align(long offset) => (offset + 7) & ~7L;

    private void GrowConcepts()
    {
        var n = _ids.Length * 2;
        Array.Resize(ref _ids, n);
        Array.Resize(ref _vocabulary, n);
        Array.Resize(ref _domain, n);
        Array.Resize(ref _codeLength, n);
        Array.Resize(ref _nameLength, n);
        Array.Resize(ref _standard, n);
        Array.Resize(ref _invalid, n);
        Array.Resize(ref _codeOffset, n);
        Array.Resize(ref _nameOffset, n);
    }

    /// <summary>The string pool: appended in 16 MB chunks so a large pool never needs one huge array.</summary>
    private sealed class ChunkedBytes
    {
        private const int ChunkSize = 16 << 20;
        private readonly List<byte[]> _chunks = [];
        private int _used = ChunkSize;

        public long Length { get; private set; }

        public int Append(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length > ChunkSize) throw new VocabularyFormatException("TooLarge", "a concept string exceeds 16 MB");
            if (_used + bytes.Length > ChunkSize)
            {
                // Pad to the chunk boundary so a string never straddles two chunks.
                Length += _chunks.Count == 0 ? 0 : ChunkSize - _used;
                _chunks.Add(new byte[ChunkSize]);
                _used = 0;
            }
            if (Length + bytes.Length > int.MaxValue) throw new VocabularyFormatException("TooLarge", "string pool exceeds 2 GB");
            var offset = (int)Length;
            bytes.CopyTo(_chunks[^1].AsSpan(_used));
            _used += bytes.Length;
            Length += bytes.Length;
            return offset;
        }

        public ReadOnlySpan<byte> Slice(int offset, int length) => _chunks[offset / ChunkSize].AsSpan(offset % ChunkSize, length);

        public async Task CopyToAsync(Stream output, CancellationToken cancellationToken)
        {
            for (var c = 0; c < _chunks.Count; c++)
            {
                var n = c == _chunks.Count - 1 ? _used : ChunkSize;
                await output.WriteAsync(_chunks[c].AsMemory(0, n), cancellationToken);
            }
        }
    }
}
