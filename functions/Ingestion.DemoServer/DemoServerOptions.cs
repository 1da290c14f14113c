using Microsoft.Extensions.Configuration;

namespace Ingestion.DemoServer;

/// <summary>
/// Options of the embedded demo FHIR Bulk Data server. Bound from the configuration section "DemoServer"
/// (e.g. <c>DemoServer__Patients</c>) and from the <c>demo-server</c> command line.
/// </summary>
public sealed record DemoServerOptions
{
    public const string SectionName = "DemoServer";

    /// <summary>TCP port on 127.0.0.1; 0 picks an ephemeral port.</summary>
    public int Port { get; init; }

    /// <summary>Number of synthetic patients (generated mode).</summary>
    public int Patients { get; init; } = 10;

    /// <summary>Seed of the generator: the same seed always produces the same bytes.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Output files are split at this many resources (lines).</summary>
    public int ResourcesPerFile { get; init; } = 1000;

    /// <summary>Fraction (0..1) of clinical resources that carry a defect (see <see cref="DefectKind"/>).</summary>
    public double DefectRate { get; init; }

    /// <summary>Folder mode: serve the <c>{Type}.ndjson</c> files of this folder instead of generated data.</summary>
    public string? FolderPath { get; init; }

    /// <summary>SMART Backend Services: bearer tokens required on kick-off, status and files.</summary>
    public bool RequireAuth { get; init; }

    /// <summary>
    /// File URLs carry a signature (<c>?sig=</c>, like a storage SAS) that the file endpoint checks: a credential in a
    /// URL, for tests that prove clients never log or store one.
    /// </summary>
    public bool SignFileUrls { get; init; }

    /// <summary>Registered clients (client id + public JWKS) allowed to obtain tokens.</summary>
    public IReadOnlyList<DemoClientRegistration> Clients { get; init; } = [];

    /// <summary>Lifetime of issued access tokens (short values simulate a token expiring mid-export).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an export stays "in progress" (202 + X-Progress) after kick-off.</summary>
    public TimeSpan ExportDelay { get; init; }

    /// <summary>Retry-After (seconds) the server suggests while an export is in progress.</summary>
    public int StatusRetryAfterSeconds { get; init; } = 1;

    /// <summary>Fault switches for client tests.</summary>
    public DemoFaults Faults { get; init; } = new();

    /// <summary>Directory for spooled export files; null uses the system temp directory.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>Reads the "DemoServer" section (e.g. DemoServer__Patients, DemoServer__Faults__ThrottleKickOff); absent keys keep their defaults.</summary>
    public static DemoServerOptions FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<DemoServerOptions>() ?? new DemoServerOptions();
}
