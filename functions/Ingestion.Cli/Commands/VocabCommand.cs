using System.CommandLine;
using System.Diagnostics;
using Ingestion.Omop;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `vocab build FOLDER --out FILE [--lake DIR]`: compiles an Athena download (CONCEPT.csv, CONCEPT_RELATIONSHIP.csv,
/// VOCABULARY.csv; tab- or comma-delimited) into a memory-mappable vocabulary file; with --lake also publishes the
/// vocabulary tables (concept, concept_relationship, concept_ancestor, vocabulary, domain, concept_class) as Parquet
/// under vocabulary/&lt;version&gt;/ of that lake, once per version.
/// `vocab lookup SYSTEM|CODE [--vocab FILE]`: prints the source concept and its standard mapping (built-in starter
/// vocabulary when --vocab is omitted). Exit 0 ok, 1 failure / not found, 2 bad usage.
/// </summary>
internal static class VocabCommand
{
    public static Command Create()
    {
        var command = new Command("vocab", "Build and query the OMOP vocabulary file used by the OMOP mapping.");
        command.Subcommands.Add(CreateBuild());
        command.Subcommands.Add(CreateLookup());
        return command;
    }

    private static Command CreateBuild()
    {
        var folder = new Argument<string>("folder") { Description = "Folder holding CONCEPT.csv and CONCEPT_RELATIONSHIP.csv (Athena download)." };
        var output = new Option<string>("--out") { Description = "The vocabulary file to write.", Required = true };
        var lakeFolder = new Option<string?>("--lake") { Description = "Also publish the vocabulary tables as Parquet under vocabulary/<version>/ of this lake folder." };
        var build = new Command("build", "Compile an Athena vocabulary download into a vocabulary file.");
        build.Arguments.Add(folder);
        build.Options.Add(output);
        build.Options.Add(lakeFolder);
        build.SetAction(async (parseResult, ct) =>
        {
            var input = parseResult.GetValue(folder)!;
            var outFile = parseResult.GetValue(output)!;
            if (!Directory.Exists(input))
            {
                await Console.Error.WriteLineAsync($"vocab build: no such folder: {input}");
                return 2;
            }
            var watch = Stopwatch.StartNew();
            try
            {
                await VocabularyFile.BuildAsync(input, outFile, ct);
            }
            catch (VocabularyFormatException e)
            {
                await Console.Error.WriteLineAsync($"vocab build: {e.ErrorCode}: {e.Message}");
                return 1;
            }
            using var vocabulary = VocabularyFile.Open(outFile);
            Console.WriteLine($"{outFile}: {vocabulary.ConceptCount:N0} concepts, {vocabulary.VocabularyIds.Count} vocabularies, " +
                $"version \"{vocabulary.Version}\", {new FileInfo(outFile).Length / 1048576.0:0.0} MiB, built in {watch.Elapsed.TotalSeconds:0.0} s");
            if (parseResult.GetValue(lakeFolder) is { } lakePath)
            {
                try
                {
                    var lake = new Ingestion.Storage.Embedded.FileSystemLake(new Ingestion.Storage.Embedded.FileSystemLakeOptions { RootPath = lakePath });
                    var published = await new Ingestion.Pipeline.Publishing.VocabularyLakePublisher(lake, new Ingestion.Pipeline.PipelineOptions())
                        .PublishAsync(input, vocabulary.Version, ct);
                    Console.WriteLine(published.AlreadyPublished
                        ? $"{lakePath}/{published.Prefix}: version already published"
                        : $"{lakePath}/{published.Prefix}: " + string.Join(", ", published.Rows.Select(kv => $"{kv.Key} {kv.Value:N0}")));
                }
                catch (VocabularyFormatException e)
                {
                    await Console.Error.WriteLineAsync($"vocab build: {e.ErrorCode}: {e.Message}");
                    return 1;
                }
            }
            return 0;
        });
        return build;
    }

    private static Command CreateLookup()
    {
        var code = new Argument<string>("system|code") { Description = "A FHIR system URI or OMOP vocabulary_id, '|', and a code, e.g. http://loinc.org|8480-6." };
        var vocabularyFile = new Option<string?>("--vocab") { Description = "Vocabulary file (Vocabulary:Path; default: the built-in starter vocabulary)." };
        var lookup = new Command("lookup", "Print a code's source concept and its standard mapping.");
        lookup.Arguments.Add(code);
        lookup.Options.Add(vocabularyFile);
        lookup.SetAction(async (parseResult, ct) =>
        {
            if (CodeLookup.Parse(parseResult.GetValue(code)!) is not var (system, value))
            {
                await Console.Error.WriteLineAsync("vocab lookup: expected SYSTEM|CODE, e.g. http://snomed.info/sct|44054006");
                return 2;
            }
            var path = parseResult.GetValue(vocabularyFile) ?? PipelineCommandOptions.LoadConfiguration()["Vocabulary:Path"];
            if (path is not null && !File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"vocab lookup: no such vocabulary file: {path}");
                return 2;
            }
            IVocabulary vocabulary;
            try
            {
                vocabulary = path is null ? StarterVocabulary.Create() : VocabularyFile.Open(path);
            }
            catch (VocabularyFormatException e)
            {
                await Console.Error.WriteLineAsync($"vocab lookup: {e.ErrorCode}: {e.Message}");
                return 1;
            }
            using (vocabulary as IDisposable)
            {
                var result = CodeLookup.Find(vocabulary, system, value);
                Console.WriteLine($"vocabulary version: {vocabulary.Version}");
                foreach (var line in result.Lines()) Console.WriteLine(line);
                return result.Source is null ? 1 : 0;
            }
        });
        return lookup;
    }
}
