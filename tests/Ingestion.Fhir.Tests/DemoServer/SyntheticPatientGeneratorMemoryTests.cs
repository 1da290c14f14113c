using Ingestion.DemoServer;

namespace Ingestion.Fhir.Tests.DemoServer;

/// <summary>
/// GC.GetTotalMemory is process-wide: these tests run alone (no other test allocating meanwhile) so the
/// measurement is the generator's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurements";
}

[Collection(MemoryMeasurementCollection.Name)]
public sealed class SyntheticPatientGeneratorMemoryTests
{
    [Fact]
    public void Report_of_100k_patients_streams_without_growing_memory()
    {
        var generator = new SyntheticPatientGenerator(100_000, 1, 0.01);
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var report = generator.Report();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(100_000, report.ValidResources["Patient"]);
        Assert.True(report.TotalLines > 1_000_000);
        // Millions of resources counted; retained memory stays within a few MB (the report itself is tiny).
        Assert.True(after - before < 8_000_000, $"retained {after - before} bytes");
    }

    [Fact]
    public void Generating_lines_keeps_memory_flat()
    {
        var generator = new SyntheticPatientGenerator(20_000, 2, 0.01);
        long peakRetained = 0, lines = 0;
        GC.Collect();
        var baseline = GC.GetTotalMemory(true);
        foreach (var record in generator.Generate())
        {
            if (++lines % 100_000 == 0) peakRetained = Math.Max(peakRetained, GC.GetTotalMemory(true) - baseline);
        }
        Assert.True(lines > 300_000);
        Assert.True(peakRetained < 8_000_000, $"retained {peakRetained} bytes mid-stream");
    }
}
