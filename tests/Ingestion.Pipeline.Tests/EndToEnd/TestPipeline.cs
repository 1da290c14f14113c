using Ingestion.Cli.Hosting;
using Ingestion.Omop;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Publishing;
using Ingestion.Storage;
using Ingestion.Storage.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>One standalone runtime of a test, with its lakes and a way to start runs like the CLI does.</summary>
internal sealed class TestPipeline(PipelineRuntime runtime) : IAsyncDisposable
{
    public PipelineRuntime Runtime { get; } = runtime;
    public ILake Lake => Runtime.Lakes.Lake;
    public ILake Quarantine => Runtime.Lakes.Quarantine;
    /// <summary>The version of the vocabulary this runtime maps with (what the run's cdm_source and manifest name).</summary>
    public string VocabularyVersion => Runtime.Services.GetRequiredService<IVocabulary>().Version;

    /// <summary>Starts a run through <see cref="ExportRunStarter"/> (key pinned, settings copied) and returns its id.</summary>
    public async Task<string> StartNewAsync(ExportRunInput input)
    {
        var started = await Runtime.Starter.StartAsync(input, null, CancellationToken.None);
        if (started.Outcome != RunStartOutcome.Started) throw new InvalidOperationException(started.Detail);
        return started.RunId;
    }

    public ValueTask DisposeAsync() => Runtime.DisposeAsync();
}

/// <summary>How a run ended: the orchestration output, its catalog row and the report's totals.</summary>
internal sealed record TestRunStatus(RunOutcome Outcome, ExportRunOutput Output, RunRecord Run, RunTotals Totals);
