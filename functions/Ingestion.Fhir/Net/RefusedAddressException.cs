namespace Ingestion.Fhir.Net;

/// <summary>
/// The connect callback refused the address a host resolved to. Thrown inside the handler (so HttpClient wraps it
/// in an <see cref="HttpRequestException"/>); the clients unwrap it into their own typed error. Never retried.
/// </summary>
public sealed class RefusedAddressException(string host, string reason)
    : IOException($"Refusing to connect to {host}: it resolves to {reason}. A FHIR server on a private network must be allowed explicitly (Fhir:AllowPrivateNetwork).")
{
    public string Host { get; } = host;
    public string Reason { get; } = reason;

    /// <summary>The refusal inside <paramref name="error"/>'s inner exceptions, if that is why it failed.</summary>
    public static RefusedAddressException? Find(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is RefusedAddressException refused) return refused;
        return null;
    }
}
