using System.Text.Json;
using System.Xml.Linq;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The runtime and publish settings the CLI's measured speed and memory rely on (docs/benchmarks.md "After mem",
/// "After tail", "After jit2") are in the runtimeconfig the built CLI starts with and in its publish profile, not only
/// in an environment or a command line someone remembered.
/// </summary>
public sealed class CliRuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Ingestion.Cli.runtimeconfig.json")));
        return config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    private static string PublishProfileProperty(string name)
    {
        var profile = XDocument.Load(Path.Combine(RepositoryPaths.RepositoryRoot,
            "functions", "Ingestion.Cli", "Properties", "PublishProfiles", "linux-x64.pubxml"));
        return profile.Descendants(name).Single().Value;
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

    [Fact]
    public void The_cli_recompiles_only_methods_called_thousands_of_times_and_runs_the_rest_from_precompiled_code()
    {
        // The runtime reads this knob as a decimal number and caps it at 65,535.
        Assert.Equal(4096, ConfigProperties().GetProperty("System.Runtime.TieredCompilation.CallCountThreshold").GetInt32());
    }

    [Fact]
    public void The_published_cli_precompiles_its_code_for_the_x86_64_v3_instruction_set()
    {
        Assert.Equal("true", PublishProfileProperty("PublishReadyToRun"));
        Assert.Contains("--instruction-set:x86-64-v3",
            PublishProfileProperty("PublishReadyToRunCrossgen2ExtraArgs").Split(';', StringSplitOptions.TrimEntries));
    }
}
