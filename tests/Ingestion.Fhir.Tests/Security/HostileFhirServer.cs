using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ingestion.Fhir.Tests.Security;

/// <summary>One request as the hostile server saw it (method, path with query, headers by lower-case name).</summary>
internal sealed record HostileRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string Path => Target.Split('?')[0];
}

/// <summary>
/// A FHIR server that misbehaves on purpose, on 127.0.0.1 over raw TCP so a test controls every byte and every
/// pause (slow headers, bodies that never end, stalls). Each connection serves one request and is closed. The
/// route decides the answer; <see cref="Requests"/> records what the client really sent.
/// </summary>
internal sealed class HostileFhirServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<HostileRequest, Func<Stream, CancellationToken, Task>> _route;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private HostileFhirServer(Func<HostileRequest, Func<Stream, CancellationToken, Task>> route)
    {
        _route = route;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public static HostileFhirServer Start(Func<HostileRequest, Func<Stream, CancellationToken, Task>> route) => new(route);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Origin => $"http://127.0.0.1:{Port}";
    public Uri BaseUrl => new($"{Origin}/fhir/");
    public ConcurrentQueue<HostileRequest> Requests { get; } = new();
    public int RequestCount(string pathSuffix) => Requests.Count(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    /// <summary>
    /// The requests recorded once at least <paramref name="expected"/> have arrived (or 10 s have passed), then a short
    /// settle so a surplus request shows too. A client that gave up on a silent server has sent its request, but on a
    /// loaded machine the server may read it only after the client's exception reached the test.
    /// </summary>
    public async Task<int> SettledRequestCountAsync(int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Requests.Count < expected && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(200);
        return Requests.Count;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null) return;
                Requests.Enqueue(request);
                await _route(request)(stream, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client hung up (which is what the client-side limits are for) or the server is stopping.
            }
        }
    }

    private static async Task<HostileRequest?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) return null;
            buffer.Add(one[0]);
            var n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n') break;
        }
        var lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        // Drain a small request body (kick-off POST) so the client is not reset while sending it.
        if (headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, out var bytes))
        {
            var body = new byte[bytes];
            await stream.ReadExactlyAsync(body, cancellationToken);
        }
        return new HostileRequest(first[0], first[1], headers);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    // ---- answers ----

    public static Func<Stream, CancellationToken, Task> Respond(int status, string? body = null, string contentType = "application/fhir+json", params (string Name, string Value)[] headers) =>
        (stream, ct) => WriteAsync(stream, status, body is null ? [] : Encoding.UTF8.GetBytes(body), contentType, headers, ct);

    public static Func<Stream, CancellationToken, Task> Bytes(int status, byte[] body, string contentType, params (string Name, string Value)[] headers) =>
        (stream, ct) => WriteAsync(stream, status, body, contentType, headers, ct);

    public static Func<Stream, CancellationToken, Task> Redirect(string location, int status = 302) =>
        Respond(status, null, "text/plain", ("Location", location));

    /// <summary>A 200 whose NDJSON body never ends (chunked, one Patient line after another).</summary>
    public static Func<Stream, CancellationToken, Task> EndlessNdjson() => async (stream, ct) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/fhir+ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"), ct);
        var line = Encoding.UTF8.GetBytes("{\"resourceType\":\"Patient\",\"id\":\"endless\"}\n");
        var chunk = Encoding.ASCII.GetBytes($"{line.Length * 100:X}\r\n").Concat(Enumerable.Repeat(line, 100).SelectMany(l => l)).Concat("\r\n"u8.ToArray()).ToArray();
        while (!ct.IsCancellationRequested) await stream.WriteAsync(chunk, ct);
    };

    /// <summary>Headers, then <paramref name="prefix"/> of the body, then silence with the connection held open.</summary>
    public static Func<Stream, CancellationToken, Task> StallAfter(byte[] prefix, long contentLength) => async (stream, ct) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+ndjson\r\nContent-Length: {contentLength}\r\nConnection: close\r\n\r\n"), ct);
        await stream.WriteAsync(prefix, ct);
        await stream.FlushAsync(ct);
        await Task.Delay(Timeout.Infinite, ct);
    };

    /// <summary>Slow loris: the status line, then one header byte every 200 ms, never finishing the headers.</summary>
    public static Func<Stream, CancellationToken, Task> SlowHeaders() => async (stream, ct) =>
    {
        await stream.WriteAsync("HTTP/1.1 202 Accepted\r\nX-Slow: "u8.ToArray(), ct);
        while (!ct.IsCancellationRequested)
        {
            await stream.WriteAsync("a"u8.ToArray(), ct);
            await stream.FlushAsync(ct);
            await Task.Delay(200, ct);
        }
    };

    private static async Task WriteAsync(Stream stream, int status, byte[] body, string contentType, (string Name, string Value)[] headers, CancellationToken ct)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        await stream.WriteAsync(body, ct);
    }
}
