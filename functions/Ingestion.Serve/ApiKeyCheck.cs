using System.Security.Cryptography;
using System.Text;

namespace Ingestion.Serve;

/// <summary>Compares a presented API key with the configured one in constant time (over SHA-256 digests, so lengths do not leak).</summary>
public sealed class ApiKeyCheck(string apiKey)
{
    public const string HeaderName = "X-Api-Key";
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public bool Matches(string? presented) =>
        presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
