using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingestion.DemoServer;

/// <summary>
/// The FHIR Bulk Data Access (IG 2.0.0) server side: kick-off, status, manifest, file downloads and DELETE,
/// with the fault switches applied in a fixed order (slow, auth, throttle, transient) so tests are predictable.
/// </summary>
internal sealed class BulkDataEndpoints(
    DemoServerOptions options, IExportSource source, FaultSwitchboard faults, SmartTokenIssuer? auth, Func<Uri> baseUrl, string spoolRoot)
{
    /// <summary>Cloud metadata address used by the foreign-host fault: a client must never follow it.</summary>
    public const string ForeignHost = "169.254.169.254";

    private readonly ConcurrentDictionary<string, ExportJob> _jobs = new(StringComparer.Ordinal);
    private readonly byte[] _urlKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    private int _kickOffs;

    public int KickOffCount => Volatile.Read(ref _kickOffs);

    public void Map(IEndpointRouteBuilder app)
    {
        string[] getPost = [HttpMethods.Get, HttpMethods.Post];
        app.MapMethods("/fhir/$export", getPost, context => KickOffAsync(context, groupId: null));
        app.MapMethods("/fhir/Patient/$export", getPost, context => KickOffAsync(context, groupId: null));
        app.MapMethods("/fhir/Group/{id}/$export", getPost, context => KickOffAsync(context, (string)context.Request.RouteValues["id"]!));
        app.MapGet("/fhir/bulkstatus/{job}", StatusAsync);
        app.MapDelete("/fhir/bulkstatus/{job}", DeleteAsync);
        app.MapGet("/fhir/bulkfiles/{job}/{file}", FileAsync);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var job in _jobs.Values) await job.CancelAsync();
        _jobs.Clear();
    }

    private async Task KickOffAsync(HttpContext context, string? groupId)
    {
        if (!await PassesCommonChecksAsync(context, faults.ThrottleKickOff, faults.TransientKickOff)) return;
        var accept = context.Request.Headers.Accept.ToString();
        if (!accept.Split(',').Any(a => a.Trim().StartsWith(FhirResponses.FhirJson, StringComparison.OrdinalIgnoreCase)))
        {
            await FhirResponses.OperationOutcomeAsync(context, 400, "required", "The kick-off request needs 'Accept: application/fhir+json'.");
            return;
        }
        if (!context.Request.Headers["Prefer"].ToString().Contains("respond-async", StringComparison.OrdinalIgnoreCase))
        {
            await FhirResponses.OperationOutcomeAsync(context, 400, "required", "The kick-off request needs 'Prefer: respond-async'.");
            return;
        }
        if (groupId is not null && groupId != DemoFhirServer.GroupId)
        {
            await FhirResponses.OperationOutcomeAsync(context, 404, "not-found", $"Unknown Group; this server has one group, '{DemoFhirServer.GroupId}'.");
            return;
        }
        var (parameters, error) = await ExportParameters.ReadAsync(context.Request, source, context.RequestAborted);
        if (parameters is null)
        {
            await FhirResponses.OperationOutcomeAsync(context, 400, "invalid", error!);
            return;
        }
        if (auth?.PermittedTypes(context.Request) is { } permitted)
        {
            // The token's scopes bound the export: asking for more is refused, asking for "everything" gets what is permitted.
            if (parameters.Types?.FirstOrDefault(t => !permitted.Contains(t)) is { } forbidden)
            {
                await FhirResponses.OperationOutcomeAsync(context, 403, "forbidden", $"The access token's scopes do not permit exporting {forbidden}.");
                return;
            }
            parameters = parameters with { Types = parameters.Types ?? source.ResourceTypes.Where(permitted.Contains).ToHashSet(StringComparer.Ordinal) };
        }

        Interlocked.Increment(ref _kickOffs);
        var id = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var request = context.Request;
        var job = new ExportJob(id, $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}", now, now + options.ExportDelay,
            Path.Combine(spoolRoot, id));
        var spooler = new ExportSpooler(source, options.ResourcesPerFile, options.Faults.ErrorFile);
        job.Start(ct => spooler.SpoolAsync(parameters, job.Directory, job.ReportLines, ct));
        _jobs[id] = job;
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers.ContentLocation = StatusUrl(id);
    }

    private async Task StatusAsync(HttpContext context)
    {
        if (!await PassesCommonChecksAsync(context, faults.ThrottleStatus, faults.TransientStatus)) return;
        var id = (string)context.Request.RouteValues["job"]!;
        if (!_jobs.TryGetValue(id, out var job))
        {
            await FhirResponses.OperationOutcomeAsync(context, 404, "not-found", "Unknown or deleted export job.");
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var spooling = job.Spooling!;
        if (now < job.ReadyAt || !spooling.IsCompleted)
        {
            var total = (job.ReadyAt - job.TransactionTime).TotalMilliseconds;
            var percent = total <= 0 ? 99 : Math.Clamp((int)((now - job.TransactionTime).TotalMilliseconds * 100 / total), 0, 99);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.Headers["X-Progress"] = spooling.IsCompleted
                ? $"{percent}% complete"
                : $"in progress, {job.LinesWritten} resources written";
            context.Response.Headers.RetryAfter = options.StatusRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return;
        }
        if (spooling.IsFaulted || spooling.IsCanceled)
        {
            await FhirResponses.OperationOutcomeAsync(context, 500, "exception", "The export failed on the server.");
            return;
        }
        var result = spooling.Result;
        context.Response.Headers.Expires = (now + TimeSpan.FromHours(1)).ToString("R", CultureInfo.InvariantCulture);
        await FhirResponses.JsonAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteString("transactionTime", ResourceWriter.Instant(job.TransactionTime));
            json.WriteString("request", job.Request);
            json.WriteBoolean("requiresAccessToken", auth is not null);
            WriteFiles(json, "output", job, result.Output, foreignFirst: options.Faults.ForeignHostFileUrl);
            WriteFiles(json, "deleted", job, result.Deleted, foreignFirst: false);
            WriteFiles(json, "error", job, result.Error, foreignFirst: false);
            json.WriteEndObject();
        }, "application/json");
    }

    private void WriteFiles(System.Text.Json.Utf8JsonWriter json, string name, ExportJob job, IReadOnlyList<ExportFile> files, bool foreignFirst)
    {
        json.WriteStartArray(name);
        for (var i = 0; i < files.Count; i++)
        {
            var url = FileUrl(job.Id, files[i].Name);
            if (foreignFirst && i == 0) url = new UriBuilder(url) { Host = ForeignHost, Port = 80 }.Uri.ToString();
            json.WriteStartObject();
            json.WriteString("type", files[i].Type);
            json.WriteString("url", url);
            json.WriteNumber("count", files[i].Count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (!await PassesCommonChecksAsync(context, static () => false, static () => false)) return;
        var id = (string)context.Request.RouteValues["job"]!;
        if (!_jobs.TryRemove(id, out var job))
        {
            await FhirResponses.OperationOutcomeAsync(context, 404, "not-found", "Unknown or deleted export job.");
            return;
        }
        await job.CancelAsync();
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task FileAsync(HttpContext context)
    {
        await faults.SlowDownAsync(context.RequestAborted);
        if (auth is not null && !auth.IsAuthorized(context.Request))
        {
            await UnauthorizedAsync(context);
            return;
        }
        var id = (string)context.Request.RouteValues["job"]!;
        var name = (string)context.Request.RouteValues["file"]!;
        if (options.SignFileUrls && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(context.Request.Query["sig"].ToString()), System.Text.Encoding.ASCII.GetBytes(Signature(id, name))))
        {
            await FhirResponses.OperationOutcomeAsync(context, 403, "security", "The file URL's signature is missing or wrong.");
            return;
        }
        if (!_jobs.TryGetValue(id, out var job) || name.Contains("..", StringComparison.Ordinal) || !File.Exists(Path.Combine(job.Directory, name)))
        {
            await FhirResponses.OperationOutcomeAsync(context, 404, "not-found", "Unknown file.");
            return;
        }
        if (faults.ExpireFile())
        {
            await FhirResponses.OperationOutcomeAsync(context, options.Faults.ExpiredFileStatusCode, "expired", "The file URL has expired (demo fault); start a new export.");
            return;
        }
        if (faults.TransientFile())
        {
            await TransientAsync(context);
            return;
        }
        var path = Path.Combine(job.Directory, name);
        // Only files longer than the cut-off can be cut: shorter ones do not use up the switch.
        var drop = new FileInfo(path).Length > options.Faults.DropConnectionAfterBytes && faults.DropConnection()
            ? options.Faults.DropConnectionAfterBytes
            : (long?)null;
        await NdjsonFileResponse.SendAsync(context, path, drop);
    }

    /// <summary>Slow response, bearer check, then the throttle and transient switches of the endpoint.</summary>
    private async Task<bool> PassesCommonChecksAsync(HttpContext context, Func<bool> throttle, Func<bool> transient)
    {
        await faults.SlowDownAsync(context.RequestAborted);
        if (auth is not null && !auth.IsAuthorized(context.Request))
        {
            await UnauthorizedAsync(context);
            return false;
        }
        if (throttle())
        {
            var seconds = options.Faults.ThrottleRetryAfterSeconds;
            var at = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(seconds);
            context.Response.Headers.RetryAfter = options.Faults.ThrottleRetryAfterFormat switch
            {
                RetryAfterFormat.HttpDate => at.ToString("R", CultureInfo.InvariantCulture),
                RetryAfterFormat.EpochSeconds => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                RetryAfterFormat.EpochMilliseconds => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                _ => seconds.ToString(CultureInfo.InvariantCulture),
            };
            await FhirResponses.OperationOutcomeAsync(context, StatusCodes.Status429TooManyRequests, "throttled", "Too many requests (demo fault); retry after the Retry-After delay.");
            return false;
        }
        if (transient())
        {
            await TransientAsync(context);
            return false;
        }
        return true;
    }

    private Task TransientAsync(HttpContext context)
    {
        // Like a well-behaved server, say when to come back: a 503 with Retry-After is the only kind a client may
        // repeat a kick-off for (it proves the export was not started).
        context.Response.Headers.RetryAfter = "1";
        return FhirResponses.OperationOutcomeAsync(context, options.Faults.TransientStatusCode, "transient", "Temporary server failure (demo fault); retry.");
    }

    private static Task UnauthorizedAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return FhirResponses.OperationOutcomeAsync(context, StatusCodes.Status401Unauthorized, "login", "A valid bearer token is required (SMART Backend Services).");
    }

    private string StatusUrl(string id) => $"{baseUrl()}/bulkstatus/{id}";
    private string FileUrl(string id, string name) =>
        options.SignFileUrls ? $"{baseUrl()}/bulkfiles/{id}/{name}?sig={Signature(id, name)}" : $"{baseUrl()}/bulkfiles/{id}/{name}";

    private string Signature(string id, string name) =>
        Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(System.Security.Cryptography.HMACSHA256.HashData(_urlKey, System.Text.Encoding.UTF8.GetBytes(id + "/" + name)));
}
