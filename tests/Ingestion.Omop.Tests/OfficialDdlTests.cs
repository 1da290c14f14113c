using System.Text.RegularExpressions;
using Ingestion.Testing;

namespace Ingestion.Omop.Tests;

/// <summary>docs/omop-ddl: the official CDM 5.4 DDL with key columns widened to BIGINT, and nothing else changed.</summary>
[Trait("Category", TestCategories.Conformance)]
public partial class OfficialDdlTests
{
    private static string Shipped => File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "docs", "omop-ddl", "OMOPCDM_duckdb_5.4_ddl.sql"));

    [GeneratedRegex(@"^(\s+)([a-z_0-9]+) integer", RegexOptions.Multiline)]
    private static partial Regex IntegerColumn();

    [Fact]
    public void The_shipped_ddl_is_the_official_ddl_with_exactly_the_key_columns_widened_to_bigint()
    {
        var official = File.ReadAllText(SharedData.PathOf("omop", "cdm-5.4", "ddl-5.4", "duckdb", "OMOPCDM_duckdb_5.4_ddl.sql"));
        var widened = IntegerColumn().Replace(official,
            m => CdmKeyColumns.Names.Contains(m.Groups[2].Value) ? m.Groups[1].Value + m.Groups[2].Value + " BIGINT" : m.Value);

        // The shipped file is that text after its two header comment lines.
        var shipped = Shipped;
        var body = shipped[(shipped.IndexOf('\n', shipped.IndexOf('\n') + 1) + 1)..];
        Assert.Equal(widened, body);
    }

    [Fact]
    public void Every_key_column_exists_in_the_official_ddl_and_every_bigint_column_we_write_is_a_key_column()
    {
        var official = File.ReadAllText(SharedData.PathOf("omop", "cdm-5.4", "ddl-5.4", "duckdb", "OMOPCDM_duckdb_5.4_ddl.sql"));
        var integerColumns = IntegerColumn().Matches(official).Select(m => m.Groups[2].Value).ToHashSet(StringComparer.Ordinal);
        Assert.All(CdmKeyColumns.Names, name => Assert.Contains(name, integerColumns));
        foreach (var table in CdmTables.All.Where(t => t.IsCdm))
        {
            foreach (var column in table.Columns.Where(c => c.Type == OmopColumnType.BigInt))
                Assert.Contains(column.Name, CdmKeyColumns.Names);
        }
    }
}
