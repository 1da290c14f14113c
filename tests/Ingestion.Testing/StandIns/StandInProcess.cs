using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ingestion.Testing.StandIns;

/// <summary>
/// A local stand-in server (an npm package from tests/tools) started on 127.0.0.1 for a test fixture and
/// stopped by its PID on dispose. Start fails loudly (with the process's own output) when the server does not
/// answer in time: a test that needs a stand-in never silently skips.
/// </summary>
public sealed class StandInProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private StandInProcess(string name, Process process, StringBuilder output)
    {
        Name = name;
        _process = process;
        _output = output;
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed so far (for failure messages).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts <paramref name="fileName"/> and waits until every port in <paramref name="ports"/> accepts TCP connections.</summary>
    public static async Task<StandInProcess> StartAsync(
        string name, string fileName, IEnumerable<string> arguments, IReadOnlyList<int> ports,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? startTimeout = null, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryPaths.ToolsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment) psi.Environment[key] = value;

        var output = new StringBuilder();
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        try
        {
            if (!process.Start()) throw new InvalidOperationException($"{name} did not start ({fileName}).");
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            throw new InvalidOperationException($"{name} could not be started from {fileName}: {ex.Message}", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var standIn = new StandInProcess(name, process, output);

        var deadline = DateTime.UtcNow + (startTimeout ?? TimeSpan.FromSeconds(60));
        var pending = ports.ToList();
        while (pending.Count > 0)
        {
            if (process.HasExited)
            {
                await standIn.DisposeAsync();
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before answering:\n{standIn.Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                await standIn.DisposeAsync();
                throw new InvalidOperationException($"{name} did not answer on port(s) {string.Join(',', pending)} in time:\n{standIn.Output}");
            }
            pending.RemoveAll(IsListening);
            if (pending.Count > 0) await Task.Delay(100, cancellationToken);
        }
        return standIn;
    }

    /// <summary>A TCP port on 127.0.0.1 free at the time of the call.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => ProcessStop.KillAndDisposeAsync(_process);
}
