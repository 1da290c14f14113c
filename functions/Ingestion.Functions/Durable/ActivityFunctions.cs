using Ingestion.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Durable;

/// <summary>
/// Activity triggers for the run's class-based activities (hand-written, as the Durable source generator would write
/// them): each builds its activity from the app's services and runs it with the trigger's input.
/// </summary>
public static class ActivityFunctions
{
    [Function(nameof(RecordRunActivity))]
    public static Task<bool> RecordRunAsync([ActivityTrigger] RunRecordChange input, string instanceId, FunctionContext context) =>
        RunAsync<RecordRunActivity, RunRecordChange, bool>(input, instanceId, context);

    [Function(nameof(KickOffExportActivity))]
    public static Task<KickOffResult> KickOffExportAsync([ActivityTrigger] RunStep input, string instanceId, FunctionContext context) =>
        RunAsync<KickOffExportActivity, RunStep, KickOffResult>(input, instanceId, context);

    [Function(nameof(PollExportActivity))]
    public static Task<PollResult> PollExportAsync([ActivityTrigger] PollRequest input, string instanceId, FunctionContext context) =>
        RunAsync<PollExportActivity, PollRequest, PollResult>(input, instanceId, context);

    [Function(nameof(PrepareRetryActivity))]
    public static Task<RetryFilesResult> PrepareRetryAsync([ActivityTrigger] RetryFilesRequest input, string instanceId, FunctionContext context) =>
        RunAsync<PrepareRetryActivity, RetryFilesRequest, RetryFilesResult>(input, instanceId, context);

    [Function(nameof(ProcessFileActivity))]
    public static Task<FileResultSummary> ProcessFileAsync([ActivityTrigger] FileRequest input, string instanceId, FunctionContext context) =>
        RunAsync<ProcessFileActivity, FileRequest, FileResultSummary>(input, instanceId, context);

    [Function(nameof(RecordFileFailedActivity))]
    public static Task<bool> RecordFileFailedAsync([ActivityTrigger] FileFailure input, string instanceId, FunctionContext context) =>
        RunAsync<RecordFileFailedActivity, FileFailure, bool>(input, instanceId, context);

    [Function(nameof(ReduceRunActivity))]
    public static Task<int> ReduceRunAsync([ActivityTrigger] RunStep input, string instanceId, FunctionContext context) =>
        RunAsync<ReduceRunActivity, RunStep, int>(input, instanceId, context);

    [Function(nameof(PublishRunActivity))]
    public static Task<PublishResult> PublishRunAsync([ActivityTrigger] RunStep input, string instanceId, FunctionContext context) =>
        RunAsync<PublishRunActivity, RunStep, PublishResult>(input, instanceId, context);

    [Function(nameof(AdvanceWatermarkActivity))]
    public static Task<DateTimeOffset?> AdvanceWatermarkAsync([ActivityTrigger] RunStep input, string instanceId, FunctionContext context) =>
        RunAsync<AdvanceWatermarkActivity, RunStep, DateTimeOffset?>(input, instanceId, context);

    [Function(nameof(DeleteExportActivity))]
    public static Task<bool> DeleteExportAsync([ActivityTrigger] ExportDeletion input, string instanceId, FunctionContext context) =>
        RunAsync<DeleteExportActivity, ExportDeletion, bool>(input, instanceId, context);

    [Function(nameof(AnnounceRunActivity))]
    public static Task<bool> AnnounceRunAsync([ActivityTrigger] RunAnnouncement input, string instanceId, FunctionContext context) =>
        RunAsync<AnnounceRunActivity, RunAnnouncement, bool>(input, instanceId, context);

    private static Task<TOutput> RunAsync<TActivity, TInput, TOutput>(TInput input, string instanceId, FunctionContext context)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        var activity = ActivatorUtilities.GetServiceOrCreateInstance<TActivity>(context.InstanceServices);
        return activity.RunAsync(new FunctionActivityContext(typeof(TActivity).Name, instanceId), input);
    }
}
