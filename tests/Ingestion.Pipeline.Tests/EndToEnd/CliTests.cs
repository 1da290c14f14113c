using System.Diagnostics;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>The spellings scripts depend on, run as a process: exit codes and where the reason goes.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Demo_runs_the_whole_pipeline_into_the_given_lake_and_exits_0()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        var (exit, stdout, _) = await RunAsync(root, null, "demo", "--patients", "4", "--lake", Path.Combine(root, "lake"));

        Assert.Equal(0, exit);
        Assert.Contains("EPHEMERAL", stdout);
        Assert.Contains("not crash-durable", stdout);
        Assert.Contains("Rows per OMOP table", stdout);
        var manifests = Directory.GetFiles(Path.Combine(root, "lake", "_runs"), "manifest.json", SearchOption.AllDirectories);
        Assert.Single(manifests);

        var (runsExit, runs, _) = await RunAsync(root, null, "runs", "--lake", Path.Combine(root, "lake"));
        Assert.Equal(0, runsExit);
        Assert.Contains("Completed", runs);
    }

    [Fact]
    public async Task Export_with_fhir_base_and_lake_runs_the_pipeline_against_a_server()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        await using var server = await DemoServer.DemoFhirServer.StartAsync(new DemoServer.DemoServerOptions { Patients = 3, SpoolDirectory = root });
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var lake = Path.Combine(root, "lake");

        var (exit, stdout, stderr) = await RunAsync(root, key, "export", "--fhir-base", server.BaseUrl.ToString(), "--lake", lake, "--allow-insecure-http", "--allow-private-network", "--type", "Patient,Condition");

        Assert.True(exit == 0, stderr);
        Assert.Contains("Completed", stdout);
        var manifest = Directory.GetFiles(Path.Combine(lake, "_runs"), "manifest.json", SearchOption.AllDirectories).Single();
        var tables = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(manifest)).RootElement.GetProperty("tables");
        Assert.Equal(server.Expected.ValidResources["Patient"], tables.GetProperty("person").GetProperty("rows").GetInt64());
        Assert.False(tables.TryGetProperty("measurement", out _)); // _type limited the export
    }

    [Fact]
    public async Task Ingest_refuses_to_run_without_a_deidentification_key_and_says_which_setting_to_set()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        Directory.CreateDirectory(Path.Combine(root, "landed"));
        var (exit, _, stderr) = await RunAsync(root, "", "ingest", Path.Combine(root, "landed"), "--lake", Path.Combine(root, "lake"));

        Assert.Equal(1, exit);
        Assert.Contains("Deid__Key", stderr);
        Assert.False(Directory.Exists(Path.Combine(root, "lake", "_runs")));
    }

    [Fact]
    public async Task A_run_catalog_that_cannot_be_opened_gives_one_line_and_exit_1_not_a_stack_trace()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        var blocker = Path.Combine(root, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where the catalog's folder should be");

        var (exit, _, stderr) = await RunAsync(root, null, "runs", "--lake", Path.Combine(root, "lake"), "--state", Path.Combine(blocker, "catalog.db"));

        Assert.Equal(1, exit);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Status_of_an_unknown_run_exits_1_with_the_reason_on_stderr()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        var (exit, _, stderr) = await RunAsync(root, null, "status", "no-such-run", "--lake", Path.Combine(root, "lake"));

        Assert.Equal(1, exit);
        Assert.Contains("no-such-run", stderr);
    }

    [Fact]
    public async Task Ingest_lists_a_landed_folders_files_that_are_not_NDJSON_in_the_run_report_with_the_reason()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        var landed = Directory.CreateDirectory(Path.Combine(root, "landed")).FullName;
        await File.WriteAllTextAsync(Path.Combine(landed, "Patient.ndjson"), """{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-01-01"}""" + "\n");
        await File.WriteAllTextAsync(Path.Combine(landed, "notes.txt"), "operator notes");
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var lake = Path.Combine(root, "lake");

        var (exit, stdout, stderr) = await RunAsync(root, key, "ingest", landed, "--lake", lake);

        Assert.True(exit == 0, stderr);
        Assert.Contains("notes.txt (not NDJSON", stdout);
        var report = Directory.GetFiles(Path.Combine(lake, "reports"), "report.json", SearchOption.AllDirectories).Single();
        var skipped = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("skippedFiles");
        var entry = Assert.Single(skipped.EnumerateArray());
        Assert.Equal("notes.txt", entry.GetProperty("name").GetString());
        Assert.StartsWith("not NDJSON", entry.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Ingest_from_a_landed_blob_container_runs_the_pipeline_and_lists_skipped_blobs_in_the_run_report()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        await using var azurite = await Ingestion.Testing.StandIns.AzuriteProcess.StartAsync();
        var container = new global::Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("landed");
        await container.CreateAsync();
        await container.GetBlobClient("exports/1/Patient.ndjson").UploadAsync(BinaryData.FromString(
            """{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-01-01"}""" + "\n" + """{"resourceType":"Patient","id":"p2","gender":"male","birthDate":"1980-01-01"}""" + "\n"));
        await container.GetBlobClient("exports/1/notes.txt").UploadAsync(BinaryData.FromString("operator notes"));
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var lake = Path.Combine(root, "lake");

        var (exit, stdout, stderr) = await RunWithEnvironmentAsync(root, new Dictionary<string, string?> { ["Deid__Key"] = key, ["Landed__StorageConnection"] = azurite.ConnectionString },
            "ingest", "--container", "landed/exports/1", "--lake", lake);

        Assert.True(exit == 0, stdout + stderr);
        var manifest = Directory.GetFiles(Path.Combine(lake, "_runs"), "manifest.json", SearchOption.AllDirectories).Single();
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(manifest)).RootElement.GetProperty("tables").GetProperty("person").GetProperty("rows").GetInt64());
        var report = Directory.GetFiles(Path.Combine(lake, "reports"), "report.json", SearchOption.AllDirectories).Single();
        var skipped = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("skippedFiles");
        Assert.Equal("notes.txt", Assert.Single(skipped.EnumerateArray()).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("terminate")]
    public async Task Cancel_or_terminate_without_a_durable_storage_connection_says_it_cannot_reach_another_process_run(string command)
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        var (exit, _, stderr) = await RunAsync(root, null, command, "some-run", "--lake", Path.Combine(root, "lake"));

        Assert.Equal(1, exit);
        Assert.Contains("in-memory backend", stderr);
        Assert.Contains("Durable__StorageConnection", stderr);
        Assert.Contains("Ctrl+C", stderr);
    }

    /// <summary>A folder removed when the test ends.</summary>
    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("pipeline-cli-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(string workingDirectory, string? deidKey, params string[] args) =>
        RunWithEnvironmentAsync(workingDirectory, new Dictionary<string, string?> { ["Deid__Key"] = deidKey }, args);

    /// <summary>Runs the built CLI with <paramref name="environment"/> added to this process's environment.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> RunWithEnvironmentAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var app = Path.Combine(AppContext.BaseDirectory, "Ingestion.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(app);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        psi.Environment["COLUMNS"] = "200";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
