using Ingestion.Testing;

namespace Ingestion.Omop.Tests;

[Trait("Category", TestCategories.Conformance)]
public class CdmTablesConformanceTests
{
    private sealed record SpecField(string Table, string Field, bool Required, string Datatype);

    private static List<SpecField> ReadSpec()
    {
        // The spec's guidance columns hold quoted commas and newlines: read it with the RFC 4180 reader.
        using var reader = new DelimitedRowReader(File.OpenRead(SharedData.PathOf("omop", "cdm-5.4", "OMOP_CDMv5.4_Field_Level.csv")), "field-level spec");
        int table = reader.ColumnIndex("cdmtablename"), field = reader.ColumnIndex("cdmfieldname"),
            required = reader.ColumnIndex("isrequired"), type = reader.ColumnIndex("cdmdatatype");
        var fields = new List<SpecField>();
        string Text(int i) => System.Text.Encoding.UTF8.GetString(reader[i]).ToLowerInvariant();
        while (reader.ReadRow()) fields.Add(new SpecField(Text(table), Text(field), Text(required) == "yes", Text(type)));
        return fields;
    }

    private static IEnumerable<OmopTable> Tables => CdmTables.All.Where(t => t.IsCdm).Concat(VocabularyTables.All);

    public static TheoryData<string> CdmTableNames() => new(Tables.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(CdmTableNames))]
    public void Table_matches_the_ohdsi_field_level_spec(string tableName)
    {
        var table = Tables.Single(t => t.Name == tableName);
        var spec = ReadSpec().Where(f => f.Table == tableName).ToList();

        Assert.NotEmpty(spec);
        Assert.Equal(spec.Select(f => f.Field), table.Columns.Select(c => c.Name));
        foreach (var (s, column) in spec.Zip(table.Columns))
        {
            Assert.True(s.Required == column.Required, $"{tableName}.{s.Field}: required {s.Required} in the spec");
            var expected = s.Datatype switch
            {
                "integer" => CdmKeyColumns.Names.Contains(s.Field) ? OmopColumnType.BigInt : OmopColumnType.Integer,
                "float" => OmopColumnType.Float,
                "date" => OmopColumnType.Date,
                "datetime" => OmopColumnType.DateTime,
                _ when s.Datatype.StartsWith("varchar", StringComparison.Ordinal) => OmopColumnType.Varchar,
                _ => throw new InvalidOperationException($"unexpected spec datatype {s.Datatype}"),
            };
            Assert.True(expected == column.Type, $"{tableName}.{s.Field}: {column.Type}, spec says {s.Datatype}");
            if (expected == OmopColumnType.Varchar)
            {
                var length = s.Datatype[8..^1];
                Assert.Equal(length == "max" ? null : int.Parse(length), column.MaxLength);
            }
        }
    }

    [Fact]
    public void Every_table_the_issue_names_is_defined()
    {
        string[] required =
        [
            "person", "observation_period", "visit_occurrence", "condition_occurrence", "drug_exposure", "procedure_occurrence",
            "device_exposure", "measurement", "observation", "death", "location", "provider", "care_site", "cdm_source", "visit_detail", "note",
            "specimen", "payer_plan_period", "cost", "condition_era", "drug_era",
        ];
        Assert.Equal(required.Order(), CdmTables.All.Where(t => t.IsCdm).Select(t => t.Name).Order());
        var specTables = ReadSpec().Select(f => f.Table).ToHashSet();
        Assert.All(required, t => Assert.Contains(t, specTables));
    }
}

