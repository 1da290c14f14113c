using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Ingestion.Fhir.Tests.Validation;
using Ingestion.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Json;

/// <summary>
/// On real FHIR JSON (every Synthea 100-patient line, every US Core and R4 file, the US Core packages' entries),
/// <see cref="Ingestion.Fhir.Json.DocumentTokenizer"/> builds exactly the rows built from
/// <see cref="System.Text.Json.Utf8JsonReader"/>'s tokens, and agrees with it on every truncation of some lines.
/// </summary>
[Trait("Category", TestCategories.Conformance)]
public sealed class DocumentTokenizerCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Rows_equal_the_readers_on_every_Synthea_line_spec_file_and_package_entry()
    {
        var documents = 0;
        foreach (var (text, where) in ExampleCorpus.SyntheaLines())
        {
            AssertAgrees(Encoding.UTF8.GetBytes(text), where);
            documents++;
        }
        foreach (var file in Directory.GetFiles(SharedData.PathOf("us-core"), "*.json", SearchOption.AllDirectories)
                     .Concat(Directory.GetFiles(SharedData.PathOf("fhir-r4"), "*.json", SearchOption.AllDirectories)).Order(StringComparer.Ordinal))
        {
            AssertAgrees(WithoutByteOrderMark(File.ReadAllBytes(file)), Path.GetFileName(file));
            documents++;
        }
        foreach (var package in Directory.GetFiles(SharedData.PathOf("us-core", "packages"), "*.tgz").Order(StringComparer.Ordinal))
        {
            using var tar = new TarReader(new GZipStream(File.OpenRead(package), CompressionMode.Decompress));
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null || !entry.Name.EndsWith(".json", StringComparison.Ordinal)) continue;
                using var bytes = new MemoryStream();
                entry.DataStream.CopyTo(bytes);
                AssertAgrees(WithoutByteOrderMark(bytes.ToArray()), $"{Path.GetFileName(package)}:{entry.Name}");
                documents++;
            }
        }
        output.WriteLine($"{documents} documents tokenized alike");
        Assert.True(documents > 43_000, "the corpus is there");
    }

    [Fact]
    public void Every_truncation_of_the_shortest_lines_of_each_Synthea_file_is_accepted_or_refused_as_by_the_reader()
    {
        var cases = 0;
        foreach (var file in ExampleCorpus.SyntheaLines(perFile: 40).GroupBy(l => l.Where.Split(':')[0]))
        {
            var (text, where) = file.MinBy(l => l.Text.Length);
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var length = 0; length < bytes.Length; length++)
            {
                AssertAgrees(bytes.AsSpan(0, length), $"{where} cut at {length}");
                cases++;
            }
        }
        output.WriteLine($"{cases} truncations");
        Assert.True(cases > 5_000, "the lines are there");
    }

    private static byte[] WithoutByteOrderMark(byte[] bytes) => bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;

    private static void AssertAgrees(ReadOnlySpan<byte> json, string where)
    {
        var difference = ReaderRows.Disagreement(json);
        Assert.True(difference is null, $"{where}: {difference}");
    }
}
