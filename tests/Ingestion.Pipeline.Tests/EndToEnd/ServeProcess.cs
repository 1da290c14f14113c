using System.Diagnostics;
using System.Text;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>The app's `serve` command as a child process on 127.0.0.1, stopped by its PID when disposed.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ServeProcess(Process process, int port)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Http { get; }

    /// <summary>Starts `serve` with extra arguments and environment, and waits until /api/health answers.</summary>
    public static async Task<ServeProcess> StartAsync(string workingDirectory, int port, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan startTimeout)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ingestion.Cli.dll"));
        psi.ArgumentList.Add("serve");
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        var serve = new ServeProcess(Process.Start(psi)!, port);
        // Drain both pipes so the child never blocks; keep stderr for the failure message.
        serve._process.OutputDataReceived += (_, _) => { };
        serve._process.ErrorDataReceived += (_, e) => { lock (serve._stderr) serve._stderr.AppendLine(e.Data); };
        serve._process.BeginOutputReadLine();
        serve._process.BeginErrorReadLine();
        try
        {
            await serve.WaitUntilServingAsync(startTimeout);
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
        return serve;
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                lock (_stderr) Assert.Fail($"serve exited with code {_process.ExitCode}: {_stderr}");
            }
            try
            {
                if ((await Http.GetAsync("/api/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"serve did not answer within {timeout.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    private bool _disposed;

    /// <summary>Idempotent: tests dispose before deleting the folder the process works in.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
