using System.Buffers.Binary;
using System.Numerics;

namespace Ingestion.Omop;

/// <summary>
/// The vocabulary file layout (little-endian), shared by the writer and the reader:
/// <code>
/// header (128 B) | vocabulary ids | domain ids | version | concepts (32 B each, by concept_id)
///                | code hash table (int per slot: concept index + 1) | relationship targets (int concept index) | string pool
/// </code>
/// A concept record: concept_id, vocabulary index, domain index, standard flag, invalid flag, code (offset, length)
/// and name (offset, length) in the pool, then its targets: MapsTo count, start, MapsToValue count, HasIngredient count
/// (they follow one another from start). A file compiled before HasIngredient existed has 0 there (the bytes were
/// zero-filled), so it still opens: its drugs have no ingredients.
/// </summary>
internal static class VocabularyFileLayout
{
    public static ReadOnlySpan<byte> Magic => "OMOPVOC1"u8;
    public const int FormatVersion = 1;
    public const int HeaderSize = 128;
    public const int RecordSize = 32;

    // Header offsets.
    public const int HConceptCount = 12, HHashSlots = 16, HTargetCount = 20, HVocabularyCount = 24, HDomainCount = 28;
    public const int HDictionaryOffset = 32, HConceptsOffset = 40, HHashOffset = 48, HTargetsOffset = 56, HPoolOffset = 64, HPoolLength = 72;

    // Record offsets.
    public const int RConceptId = 0, RVocabulary = 4, RDomain = 6, RStandard = 8, RInvalid = 9, RCodeLength = 10,
        RCodeOffset = 12, RNameOffset = 16, RNameLength = 20, RMapsToCount = 22, RTargetsStart = 24, RMapsToValueCount = 28, RIngredientCount = 30;

    public const byte NotStandard = 0, Standard = 1, Classification = 2;

    public static int SlotCountFor(int concepts) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, concepts * 2));

    /// <summary>A stable (unseeded) hash of vocabulary index + UTF-8 code: it is persisted, so string.GetHashCode cannot serve.</summary>
    public static uint Hash(int vocabulary, ReadOnlySpan<byte> code)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ ((ulong)vocabulary * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)code.Length;
        while (code.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(code)) * 0x9FB21C651E98DF25UL, 29);
            code = code[8..];
        }
        ulong tail = 0;
        for (var i = 0; i < code.Length; i++) tail |= (ulong)code[i] << (8 * i);
        h = (h ^ tail) * 0x9FB21C651E98DF25UL;
        h ^= h >> 32;
        h *= 0xD6E8FEB86659FD93UL;
        return (uint)(h ^ (h >> 32));
    }
}
