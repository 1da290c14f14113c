using System.Diagnostics;
using System.Text;
using Ingestion.Testing;

namespace Ingestion.Durable.Tests.Crash;

/// <summary>
/// The standalone Durable worker (tests/Ingestion.Durable.TestHost) as a separate process: started with its
/// settings on the command line, killed with SIGKILL (<see cref="KillHard"/>, what <c>kill -9</c> does) or stopped
/// by its PID on dispose.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private WorkerProcess(Process process, StringBuilder output)
    {
        _process = process;
        _output = output;
    }

    public int ProcessId => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<WorkerProcess> StartAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(TestHostPath());
        foreach (var (key, value) in settings) psi.ArgumentList.Add($"--{key}={value}");

        var output = new StringBuilder();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith("worker started", StringComparison.Ordinal)) started.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException("The worker process exited before it started."));
        if (!process.Start()) throw new InvalidOperationException("The worker process did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var worker = new WorkerProcess(process, output);
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (Exception ex)
        {
            await worker.DisposeAsync();
            throw new InvalidOperationException($"The Durable test worker did not start: {ex.Message}\n{worker.Output}", ex);
        }
        return worker;
    }

    /// <summary>SIGKILL: no shutdown code runs, leases and messages stay taken until they expire.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The test host built beside this test project (same configuration and target framework).</summary>
    private static string TestHostPath()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var path = Path.Combine(RepositoryPaths.RepositoryRoot, "tests", "Ingestion.Durable.TestHost", "bin",
            configuration.Name, tfm.Name, "Ingestion.Durable.TestHost.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build tests/Ingestion.Durable.TestHost first.", path);
    }
}
