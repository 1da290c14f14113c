using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using Ingestion.Testing.StandIns;

namespace Ingestion.Azure.Tests.Fixtures;

/// <summary>An HTTP listener on 127.0.0.1 that records every request and answers with queued statuses (201 once exhausted).</summary>
public sealed class RecordingHttpListener : IAsyncDisposable
{
    public sealed record Recorded(string Method, string Path, NameValueCollection Headers, byte[] Body);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<int> _statuses = new();
    private readonly Task _loop;

    public RecordingHttpListener(params int[] statuses)
    {
        foreach (var status in statuses) _statuses.Enqueue(status);
        var port = StandInProcess.FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<Recorded> Requests { get; } = new();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Requests.Enqueue(new Recorded(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers, body.ToArray()));
            context.Response.StatusCode = _statuses.TryDequeue(out var status) ? status : 201;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
