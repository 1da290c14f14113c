namespace Ingestion.DemoServer;

/// <summary>How a 429 response states its Retry-After: RFC 9110 forms, or the absolute epoch time SMART's reference server sends.</summary>
public enum RetryAfterFormat { Seconds, HttpDate, EpochSeconds, EpochMilliseconds }

/// <summary>
/// Fault switches. Counts apply to the first N matching requests since the server started, so tests are
/// deterministic; <see cref="DemoFhirServer.FaultsInjected"/> reports how many of each were served.
/// </summary>
public sealed record DemoFaults
{
    /// <summary>The first N kick-off requests answer 429 Too Many Requests with Retry-After.</summary>
    public int ThrottleKickOff { get; init; }

    /// <summary>The first N status requests answer 429 Too Many Requests with Retry-After.</summary>
    public int ThrottleStatus { get; init; }

    /// <summary>Retry-After value of the 429 responses, in seconds (an HTTP-date this far ahead in HttpDate format).</summary>
    public int ThrottleRetryAfterSeconds { get; init; } = 1;

    public RetryAfterFormat ThrottleRetryAfterFormat { get; init; } = RetryAfterFormat.Seconds;

    /// <summary>The first N kick-off requests fail with <see cref="TransientStatusCode"/>.</summary>
    public int TransientKickOff { get; init; }

    /// <summary>The first N status requests fail with <see cref="TransientStatusCode"/> (OperationOutcome code "transient").</summary>
    public int TransientStatus { get; init; }

    /// <summary>The first N file downloads fail with <see cref="TransientStatusCode"/>.</summary>
    public int TransientFile { get; init; }

    /// <summary>500 or 503.</summary>
    public int TransientStatusCode { get; init; } = 503;

    /// <summary>Every kick-off, status and file response is delayed this long before it starts.</summary>
    public TimeSpan SlowResponseDelay { get; init; }

    /// <summary>The first N file downloads are aborted (connection reset) after <see cref="DropConnectionAfterBytes"/> bytes.</summary>
    public int DropConnection { get; init; }

    public long DropConnectionAfterBytes { get; init; } = 1024;

    /// <summary>The first N file downloads answer <see cref="ExpiredFileStatusCode"/> as if the file URL had expired.</summary>
    public int ExpiredFile { get; init; }

    /// <summary>Every file download answers <see cref="ExpiredFileStatusCode"/> (files expired for good).</summary>
    public bool FilesExpiredPermanently { get; init; }

    /// <summary>404 or 410.</summary>
    public int ExpiredFileStatusCode { get; init; } = 410;

    /// <summary>The manifest carries an error[] entry: an NDJSON file of OperationOutcome resources.</summary>
    public bool ErrorFile { get; init; }

    /// <summary>The manifest's first output URL points at a foreign host (a cloud metadata address).</summary>
    public bool ForeignHostFileUrl { get; init; }

    /// <summary>Names accepted by <see cref="Parse"/> (the CLI's --fault values).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "throttle-kickoff", "throttle-status", "throttle-http-date", "throttle-epoch-seconds", "throttle-epoch-ms", "transient-kickoff", "transient-status",
        "transient-file", "slow", "drop-connection", "expired-file", "expired-permanently", "error-file", "foreign-host",
    ];

    /// <summary>Applies a named switch (CLI): counted switches fire for the first 2 requests.</summary>
    public DemoFaults With(string name) => name switch
    {
        "throttle-kickoff" => this with { ThrottleKickOff = 2 },
        "throttle-status" => this with { ThrottleStatus = 2 },
        "throttle-http-date" => this with { ThrottleKickOff = 2, ThrottleStatus = 2, ThrottleRetryAfterFormat = RetryAfterFormat.HttpDate },
        "throttle-epoch-seconds" => this with { ThrottleKickOff = 2, ThrottleStatus = 2, ThrottleRetryAfterFormat = RetryAfterFormat.EpochSeconds },
        "throttle-epoch-ms" => this with { ThrottleKickOff = 2, ThrottleStatus = 2, ThrottleRetryAfterFormat = RetryAfterFormat.EpochMilliseconds },
        "transient-kickoff" => this with { TransientKickOff = 2 },
        "transient-status" => this with { TransientStatus = 2 },
        "transient-file" => this with { TransientFile = 2 },
        "slow" => this with { SlowResponseDelay = TimeSpan.FromSeconds(2) },
        "drop-connection" => this with { DropConnection = 2 },
        "expired-file" => this with { ExpiredFile = 2 },
        "expired-permanently" => this with { FilesExpiredPermanently = true },
        "error-file" => this with { ErrorFile = true },
        "foreign-host" => this with { ForeignHostFileUrl = true },
        _ => throw new ArgumentException($"Unknown fault '{name}'. Known: {string.Join(", ", Names)}."),
    };
}
