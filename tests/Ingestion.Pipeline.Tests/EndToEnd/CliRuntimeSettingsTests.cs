using System.Text.Json;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The runtime settings the CLI's measured speed and memory rely on (docs/benchmarks.md "After mem", "After tail") are in
/// the runtimeconfig the built CLI starts with, not only in an environment someone remembered to set.
/// </summary>
public sealed class CliRuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Ingestion.Cli.runtimeconfig.json")));
        return config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void The_cli_caps_the_gc_allocation_budget_so_peak_memory_follows_the_data_not_the_cpu_cache()
    {
        var properties = ConfigProperties();
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(16L * 1024 * 1024, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
    }

    [Fact]
    public void The_cli_promotes_hot_methods_without_the_call_counting_delay_and_without_instrumented_tiers()
    {
        var properties = ConfigProperties();
        Assert.Equal(0, properties.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }
}
