using Ingestion.DemoServer;
using Ingestion.Fhir.Validation;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The run commands build the file activity (US Core rules, vocabulary, mapper) in the background from the moment the
/// host is built: start-up does not wait for it, and a set-up that fails still fails the run with its reason.
/// </summary>
public sealed class FileActivityPreparationTests
{
    [Fact]
    public async Task The_runtime_starts_while_the_validator_is_still_being_built_and_the_run_then_uses_it()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = PatientFolder(h.Root);
        using var release = new ManualResetEventSlim();
        var building = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pipeline = await h.OpenPipelineAsync(prepareFileActivity: true, configureServices: services => services.AddSingleton<IResourceValidator>(_ =>
        {
            building.TrySetResult();
            // Released only after the runtime has started: a start-up that waited for the validator would time out here.
            if (!release.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("Start-up waited for the validator.");
            return DemoPipelineHarness.Validator;
        }));

        // Building began without any run asking for it, and the runtime is up while it is still going on.
        await building.Task.WaitAsync(TimeSpan.FromSeconds(30));
        release.Set();
        var id = await pipeline.StartNewAsync(DemoPipelineHarness.FolderInput("prepared", folder));
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);
        Assert.Equal(RunOutcome.Completed, status.Outcome);
        Assert.Equal(3, status.Totals.ResourcesRead);
    }

    [Fact]
    public async Task A_validator_that_cannot_be_built_fails_the_run_with_its_reason()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = PatientFolder(h.Root);
        await using var pipeline = await h.OpenPipelineAsync(prepareFileActivity: true, configureServices: services =>
            services.AddSingleton<IResourceValidator>(_ => throw new InvalidDataException("The built-in US Core rules cannot be read (test).")));

        var id = await pipeline.StartNewAsync(DemoPipelineHarness.FolderInput("broken-rules", folder));
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Failed, status.Outcome);
        var files = new List<RunFileRecord>();
        await foreach (var file in pipeline.Runtime.Catalog.ListFilesAsync(id, CancellationToken.None)) files.Add(file);
        var patientFile = Assert.Single(files);
        Assert.Equal(RunFileStatus.Failed, patientFile.Status);
        Assert.Contains("The built-in US Core rules cannot be read (test).", patientFile.FailureReason, StringComparison.Ordinal);
    }

    private static string PatientFolder(string root)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "landed")).FullName;
        File.WriteAllText(Path.Combine(folder, "Patient.ndjson"), string.Join("\n", Enumerable.Range(1, 3).Select(i =>
            $$"""{"resourceType":"Patient","id":"p{{i}}","gender":"female","birthDate":"1970-01-02"}""")) + "\n");
        return folder;
    }
}
