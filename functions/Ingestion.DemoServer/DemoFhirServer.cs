using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingestion.DemoServer;

/// <summary>
/// The embedded demo FHIR Bulk Data server on 127.0.0.1: synthetic US Core patients (or a folder of NDJSON),
/// optional SMART Backend Services, and fault switches for client tests.
/// </summary>
public sealed class DemoFhirServer : IAsyncDisposable
{
    /// <summary>The one Group this server knows: all patients.</summary>
    public const string GroupId = "demo-all-patients";

    private readonly WebApplication _app;
    private readonly BulkDataEndpoints _bulkData;
    private readonly FaultSwitchboard _faults;
    private readonly IExportSource _source;
    private readonly string _spoolRoot;
    private readonly SmartTokenIssuer? _auth;

    private DemoFhirServer(WebApplication app, BulkDataEndpoints bulkData, FaultSwitchboard faults, IExportSource source, string spoolRoot, SmartTokenIssuer? auth)
    {
        _auth = auth;
        _app = app;
        _bulkData = bulkData;
        _faults = faults;
        _source = source;
        _spoolRoot = spoolRoot;
    }

    /// <summary>FHIR base, e.g. http://127.0.0.1:PORT/fhir (no trailing slash).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>SMART token endpoint (also advertised in /.well-known/smart-configuration).</summary>
    public Uri TokenUrl { get; private set; } = null!;

    /// <summary>What a full system-level export contains (computed on first use, streaming).</summary>
    public GenerationReport Expected => _source.Expected;

    /// <summary>Number of accepted kick-off requests (202) since start: resume tests assert no second kick-off.</summary>
    public int KickOffCount => _bulkData.KickOffCount;

    /// <summary>With RequireAuth: every client assertion received and access token issued so far (for secret scans); else empty.</summary>
    public IReadOnlyCollection<string> CredentialsSeen => _auth?.CredentialsSeen ?? [];

    /// <summary>How often each fault switch has fired.</summary>
    public DemoFaultCounts FaultsInjected => _faults.Snapshot();

    public static async Task<DemoFhirServer> StartAsync(DemoServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ResourcesPerFile < 1) throw new ArgumentOutOfRangeException(nameof(options), "ResourcesPerFile must be at least 1.");
        if (options.RequireAuth && options.Clients.Count == 0)
            throw new ArgumentException("RequireAuth needs at least one registered client (DemoServerOptions.Clients).", nameof(options));

        IExportSource source = options.FolderPath is { } folder
            ? new FolderExportSource(folder)
            : new GeneratedExportSource(new SyntheticPatientGenerator(options.Patients, options.Seed, options.DefectRate));
        // Registrations are parsed before anything is created, so a bad JWKS leaves nothing behind.
        var auth = options.RequireAuth ? new SmartTokenIssuer(options.Clients, options.TokenLifetime, TimeProvider.System) : null;
        var spoolRoot = Path.Combine(options.SpoolDirectory ?? Path.GetTempPath(), "demo-fhir-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(spoolRoot);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DemoFhirServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();

        // An unexpected failure answers an OperationOutcome naming only the exception type (never request data).
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
            {
                await FhirResponses.OperationOutcomeAsync(context, 500, "exception", $"Demo server error ({ex.GetType().Name}).");
            }
        });
        DemoFhirServer? server = null;
        var faults = new FaultSwitchboard(options.Faults);
        var bulkData = new BulkDataEndpoints(options, source, faults, auth, () => server!.BaseUrl, spoolRoot);
        server = new DemoFhirServer(app, bulkData, faults, source, spoolRoot, auth);
        bulkData.Map(app);
        new ConformanceEndpoints(source, options.RequireAuth, () => server.TokenUrl).Map(app);
        app.MapPost("/auth/token", context => auth is null
            ? FhirResponses.OperationOutcomeAsync(context, 404, "not-supported", "Authorization is off on this server (start it with RequireAuth).")
            : auth.HandleTokenRequestAsync(context, server.TokenUrl));

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // e.g. the port is taken: leave nothing behind.
            await app.DisposeAsync();
            Directory.Delete(spoolRoot, recursive: true);
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        server.BaseUrl = new Uri($"http://127.0.0.1:{port}/fhir");
        server.TokenUrl = new Uri($"http://127.0.0.1:{port}/auth/token");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _bulkData.DisposeAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_spoolRoot)) Directory.Delete(_spoolRoot, recursive: true);
    }
}
