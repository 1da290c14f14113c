using Ingestion.Functions.Durable;
using Ingestion.Orchestration;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Functions.Tests.Wrappers;

/// <summary>
/// The orchestration triggers hand the trigger's input to the right class-based orchestrator: each wrapper, given a
/// context holding an input, makes that orchestrator's first activity call with that input.
/// </summary>
public sealed class OrchestratorFunctionTests
{
    [Fact]
    public async Task The_export_orchestrator_wrapper_runs_the_export_orchestrator_with_the_trigger_input()
    {
        var input = new ExportRunInput
        {
            SourceId = "ehr1", SourceKind = ExportSourceKind.FhirServer, FhirBaseUrl = "https://ehr.test/fhir", KeyFingerprint = "k1",
            Trigger = new RunTrigger(RunTriggerKind.Schedule, "timer"),
        };
        var context = new FirstCallContext("ehr1-20261206T0200Z", input);

        await Assert.ThrowsAsync<FirstCallContext.Stop>(() => OrchestratorFunctions.ExportOrchestratorAsync(context));

        Assert.Equal(nameof(RecordRunActivity), context.Called!.Value.Name);
        var change = Assert.IsType<RunRecordChange>(context.Called.Value.Input);
        Assert.Equal(("ehr1-20261206T0200Z", "KickOff"), (change.RunId, change.Phase));
        Assert.Same(input, change.Start);
    }

    [Fact]
    public async Task The_file_batch_wrapper_runs_the_batch_orchestrator_with_the_trigger_input()
    {
        var input = new FileBatchInput("run-1", "k1", First: 40, Count: 10, new RunSettings());
        var context = new FirstCallContext("run-1:batch-0", input);

        await Assert.ThrowsAsync<FirstCallContext.Stop>(() => OrchestratorFunctions.FileBatchOrchestratorAsync(context));

        Assert.Equal(nameof(ProcessFileActivity), context.Called!.Value.Name);
        Assert.Equal(new FileRequest("run-1", "k1", 40), context.Called.Value.Input);
    }

    /// <summary>An orchestration context that holds an input and stops the orchestrator at its first activity call, recording it.</summary>
    private sealed class FirstCallContext(string instanceId, object input) : TaskOrchestrationContext
    {
        public sealed class Stop : Exception;

        public (string Name, object? Input)? Called { get; private set; }

        public override TaskName Name => "under-test";
        public override string InstanceId => instanceId;
        public override ParentOrchestrationInstance? Parent => null;
        public override DateTime CurrentUtcDateTime => new(2026, 12, 6, 2, 0, 0, DateTimeKind.Utc);
        public override bool IsReplaying => false;
        protected override ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

        public override T GetInput<T>() => (T)input;

        public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? activityInput = null, TaskOptions? options = null)
        {
            Called = (name.Name, activityInput);
            throw new Stop();
        }

        public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) => new TaskCompletionSource<T>().Task;
        public override void SetCustomStatus(object? customStatus) { }
        public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => throw new NotSupportedException();
        public override void SendEvent(string instanceId, string eventName, object payload) => throw new NotSupportedException();
        public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) => throw new NotSupportedException();
        public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => throw new NotSupportedException();
        public override Guid NewGuid() => Guid.NewGuid();
    }
}
