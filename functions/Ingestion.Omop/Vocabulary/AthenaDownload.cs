using System.Text;

namespace Ingestion.Omop;

/// <summary>Reads the tables of an Athena vocabulary download (or a comma-separated export of one) into a compiler.</summary>
internal static class AthenaDownload
{
    private static ReadOnlySpan<byte> MapsTo => "Maps to"u8;
    private static ReadOnlySpan<byte> MapsToValue => "Maps to value"u8;
    private static ReadOnlySpan<byte> Ingredient => "Ingredient"u8;
    private static ReadOnlySpan<byte> RxNorm => "RxNorm"u8;
    private static ReadOnlySpan<byte> RxNormExtension => "RxNorm Extension"u8;

    public static async Task CompileAsync(string athenaFolder, string outFile, CancellationToken cancellationToken)
    {
        var compiler = await ReadAsync(athenaFolder, cancellationToken);
        var version = await ReadVersionAsync(athenaFolder, cancellationToken);
        var temporary = outFile + ".tmp";
        await using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
        {
            await compiler.WriteAsync(output, version, cancellationToken);
        }
        File.Move(temporary, outFile, overwrite: true);
    }

    public static Task<VocabularyCompiler> ReadAsync(string folder, CancellationToken cancellationToken) =>
        // Parsing is CPU-bound byte work over a sequential stream; run it off the caller's thread.
        Task.Run(() =>
        {
            var compiler = new VocabularyCompiler();
            // A shard ships CONCEPT_ANCESTOR header-only (or not at all): derive the drug hierarchy from relationships.
            var ancestorFile = FindTable(folder, "CONCEPT_ANCESTOR.csv");
            var derived = ancestorFile is null || !HasRows(ancestorFile) ? new ConceptAncestorBuilder() : null;
            var ingredients = ReadConcepts(OpenTable(folder, "CONCEPT.csv"), compiler, derived, cancellationToken);
            ReadRelationships(OpenTable(folder, "CONCEPT_RELATIONSHIP.csv"), compiler, derived, cancellationToken);
            if (ingredients.Count > 0)
            {
                var links = derived is null ? ReadAncestors(OpenTable(folder, "CONCEPT_ANCESTOR.csv"), cancellationToken)
                    : derived.Rows().Select(r => ((int)r[0]!, (int)r[1]!));
                foreach (var (ancestor, descendant) in links)
                {
                    if (ingredients.Contains(ancestor)) compiler.AddRelationship(descendant, ancestor, ConceptRelationship.HasIngredient);
                }
            }
            return compiler;
        }, cancellationToken);

    private static bool HasRows(string path)
    {
        using var reader = new DelimitedRowReader(File.OpenRead(path), "CONCEPT_ANCESTOR.csv");
        return reader.ReadRow();
    }

    /// <summary>(ancestor_concept_id, descendant_concept_id) of every CONCEPT_ANCESTOR row.</summary>
    private static IEnumerable<(int Ancestor, int Descendant)> ReadAncestors(DelimitedRowReader reader, CancellationToken cancellationToken)
    {
        using var _ = reader;
        int ancestor = reader.ColumnIndex("ancestor_concept_id"), descendant = reader.ColumnIndex("descendant_concept_id");
        while (reader.ReadRow())
        {
            if ((reader.LineNumber & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            yield return (reader.Int32(ancestor), reader.Int32(descendant));
        }
    }

    /// <summary>The release recorded in VOCABULARY.csv (the "None" row's vocabulary_version), or "unknown".</summary>
    public static Task<string> ReadVersionAsync(string folder, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            var path = FindTable(folder, "VOCABULARY.csv");
            if (path is null) return "unknown";
            using var reader = new DelimitedRowReader(File.OpenRead(path), "VOCABULARY.csv");
            var id = reader.ColumnIndex("vocabulary_id");
            var version = reader.ColumnIndex("vocabulary_version");
            while (reader.ReadRow())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader[id].SequenceEqual("None"u8)) return Encoding.UTF8.GetString(reader[version]);
            }
            return "unknown";
        }, cancellationToken);

    /// <summary>Adds every concept; returns the drug_era ingredients (standard RxNorm / RxNorm Extension concepts of
    /// class 'Ingredient', as the OHDSI drug_era script selects them).</summary>
    private static HashSet<int> ReadConcepts(DelimitedRowReader reader, VocabularyCompiler compiler, ConceptAncestorBuilder? derived,
        CancellationToken cancellationToken)
    {
        using var _ = reader;
        int id = reader.ColumnIndex("concept_id"), name = reader.ColumnIndex("concept_name"), domain = reader.ColumnIndex("domain_id"),
            vocabulary = reader.ColumnIndex("vocabulary_id"), standard = reader.ColumnIndex("standard_concept"),
            code = reader.ColumnIndex("concept_code"), invalid = reader.ColumnIndex("invalid_reason"), conceptClass = reader.ColumnIndex("concept_class_id");
        var ids = new IdTable(compiler);
        var ingredients = new HashSet<int>();
        while (reader.ReadRow())
        {
            if ((reader.LineNumber & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            var s = reader[standard];
            var flag = s.Length == 1 && s[0] == 'S' ? VocabularyFileLayout.Standard
                : s.Length == 1 && s[0] == 'C' ? VocabularyFileLayout.Classification : VocabularyFileLayout.NotStandard;
            var conceptId = reader.Int32(id);
            compiler.AddConcept(conceptId, reader[name], ids.Domain(reader[domain]), ids.Vocabulary(reader[vocabulary]), flag,
                reader[code], !reader[invalid].IsEmpty);
            if (flag == VocabularyFileLayout.Standard && reader[conceptClass].SequenceEqual(Ingredient)
                && (reader[vocabulary].SequenceEqual(RxNorm) || reader[vocabulary].SequenceEqual(RxNormExtension)))
                ingredients.Add(conceptId);
            derived?.AddConcept(conceptId, flag == VocabularyFileLayout.Standard ? "S" : flag == VocabularyFileLayout.Classification ? "C" : null);
        }
        return ingredients;
    }

    private static void ReadRelationships(DelimitedRowReader reader, VocabularyCompiler compiler, ConceptAncestorBuilder? derived,
        CancellationToken cancellationToken)
    {
        using var _ = reader;
        int from = reader.ColumnIndex("concept_id_1"), to = reader.ColumnIndex("concept_id_2"),
            relationship = reader.ColumnIndex("relationship_id"), invalid = reader.ColumnIndex("invalid_reason");
        while (reader.ReadRow())
        {
            if ((reader.LineNumber & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            var r = reader[relationship];
            // Only shards derive (a few hundred thousand rows): decoding the relationship id there costs nothing.
            if (derived is not null && reader[invalid].IsEmpty)
                derived.AddRelationship(reader.Int32(from), reader.Int32(to), Encoding.UTF8.GetString(r), null);
            // Only the two mapping relationships matter; skip the rest before parsing any number.
            ConceptRelationship kind;
            if (r.SequenceEqual(MapsTo)) kind = ConceptRelationship.MapsTo;
            else if (r.SequenceEqual(MapsToValue)) kind = ConceptRelationship.MapsToValue;
            else continue;
            if (!reader[invalid].IsEmpty) continue;
            compiler.AddRelationship(reader.Int32(from), reader.Int32(to), kind);
        }
    }

    private static DelimitedRowReader OpenTable(string folder, string file)
    {
        var path = FindTable(folder, file)
            ?? throw new VocabularyFormatException("MissingTable", $"{file} not found in {folder}.");
        return new DelimitedRowReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), file);
    }

    /// <summary>Athena names the files upper case; some exports lower-case them.</summary>
    private static string? FindTable(string folder, string file)
    {
        if (!Directory.Exists(folder)) throw new VocabularyFormatException("MissingFolder", $"vocabulary folder {folder} does not exist.");
        var exact = Path.Combine(folder, file);
        if (File.Exists(exact)) return exact;
        return Directory.EnumerateFiles(folder).FirstOrDefault(p => string.Equals(Path.GetFileName(p), file, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Interns vocabulary and domain ids from bytes, remembering the last hit (rows come grouped by vocabulary).</summary>
    private sealed class IdTable(VocabularyCompiler compiler)
    {
        private byte[] _lastVocabulary = [], _lastDomain = [];
        private ushort _vocabulary, _domain;

        public ushort Vocabulary(ReadOnlySpan<byte> id)
        {
            if (!id.SequenceEqual(_lastVocabulary)) { _lastVocabulary = id.ToArray(); _vocabulary = compiler.VocabularyIndex(Encoding.UTF8.GetString(id)); }
            return _vocabulary;
        }

        public ushort Domain(ReadOnlySpan<byte> id)
        {
            if (!id.SequenceEqual(_lastDomain)) { _lastDomain = id.ToArray(); _domain = compiler.DomainIndex(Encoding.UTF8.GetString(id)); }
            return _domain;
        }
    }
}
