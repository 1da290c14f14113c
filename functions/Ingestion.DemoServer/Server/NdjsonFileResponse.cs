using System.Buffers;
using System.IO.Compression;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ingestion.DemoServer;

/// <summary>
/// Streams one spooled NDJSON file: a single byte Range (206, identity encoding), or the whole file, gzip
/// when the client accepts it. With <paramref name="dropAfterBytes"/> the connection is aborted after that many
/// body bytes (before compression), as a flaky network would.
/// </summary>
internal static class NdjsonFileResponse
{
    public const string Ndjson = "application/fhir+ndjson";

    public static async Task SendAsync(HttpContext context, string path, long? dropAfterBytes)
    {
        var request = context.Request;
        var response = context.Response;
        var length = new FileInfo(path).Length;
        response.Headers.AcceptRanges = "bytes";
        response.ContentType = Ndjson;

        long start = 0, end = length - 1;
        var ranged = false;
        if (request.Headers.Range.Count > 0)
        {
            if (!TryParseRange(request.Headers.Range.ToString(), length, out start, out end))
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{length}";
                return;
            }
            ranged = true;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{end}/{length}";
        }

        var gzip = !ranged && AcceptsGzip(request);
        var count = end - start + 1;
        Stream body = response.Body;
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
            response.Headers.Vary = "Accept-Encoding";
            body = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
        }
        else
        {
            response.ContentLength = count;
        }
        // Let large files stream instead of buffering in the server.
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        file.Seek(start, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var remaining = count;
            var budget = dropAfterBytes ?? long.MaxValue;
            while (remaining > 0)
            {
                var want = (int)Math.Min(Math.Min(buffer.Length, remaining), Math.Max(budget, 0));
                if (want == 0)
                {
                    await body.FlushAsync(context.RequestAborted);
                    if (gzip) await response.Body.FlushAsync(context.RequestAborted);
                    // Give the client time to read headers and the partial body: a reset that arrives first
                    // makes the peer discard unread data, which would look like a failed request, not a cut file.
                    await Task.Delay(500, context.RequestAborted);
                    context.Abort();
                    return;
                }
                var read = await file.ReadAsync(buffer.AsMemory(0, want), context.RequestAborted);
                if (read == 0) break;
                await body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                remaining -= read;
                budget -= read;
            }
            if (gzip) await body.DisposeAsync();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var value in request.Headers.AcceptEncoding)
        {
            if (value is null) continue;
            foreach (var part in value.Split(','))
            {
                if (!StringWithQualityHeaderValue.TryParse(part.Trim(), out var coding)) continue;
                if (coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && coding.Quality is not 0) return true;
            }
        }
        return false;
    }

    /// <summary>One range: "bytes=a-b", "bytes=a-" or "bytes=-n". Multiple ranges are not served.</summary>
    internal static bool TryParseRange(string header, long length, out long start, out long end)
    {
        start = 0;
        end = length - 1;
        if (!RangeHeaderValue.TryParse(header, out var range) || range.Unit != "bytes" || range.Ranges.Count != 1) return false;
        var r = range.Ranges.First();
        if (r.From is { } from)
        {
            if (from >= length) return false;
            start = from;
            end = r.To is { } to ? Math.Min(to, length - 1) : length - 1;
            return end >= start;
        }
        if (r.To is { } suffix && suffix > 0)
        {
            start = Math.Max(0, length - suffix);
            return length > 0;
        }
        return false;
    }
}
