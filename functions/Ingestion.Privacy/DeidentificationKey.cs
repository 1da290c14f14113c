using System.Security.Cryptography;

namespace Ingestion.Privacy;

/// <summary>Parses and validates the de-identification key, makes the demo's ephemeral key, and fingerprints keys.</summary>
public static class DeidentificationKey
{
    /// <summary>The shortest accepted key: HMAC-SHA256 gains nothing from more than 32 bytes and must not get fewer.</summary>
    public const int MinimumBytes = 32;

    /// <summary>What the demo says when it runs on <see cref="Ephemeral"/>.</summary>
    public const string EphemeralNotice =
        "De-identification is using an EPHEMERAL random key: pseudonymous ids and date offsets will differ on the "
        + "next run and cannot be linked to this one. Set Deid__Key for stable output.";

    /// <summary>Decodes and validates a base64 key.</summary>
    /// <exception cref="MissingDeidentificationKeyException">null, empty or whitespace.</exception>
    /// <exception cref="InvalidDeidentificationKeyException">not base64, or fewer than 32 bytes.</exception>
    public static byte[] Parse(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64)) throw new MissingDeidentificationKeyException();
        // App Service leaves the literal reference in place when it cannot resolve it.
        if (base64.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDeidentificationKeyException(
                "KeyVaultReferenceUnresolved",
                "The de-identification key (Deid:Key) is a Key Vault reference that was not resolved: check that the app's "
                + "managed identity may read the secret and that the secret exists.");
        var buffer = new byte[base64.Length * 3 / 4 + 3];
        try
        {
            if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var length))
                throw new InvalidDeidentificationKeyException("KeyNotBase64", "The de-identification key (Deid:Key) is not valid base64.");
            if (length < MinimumBytes)
                throw new InvalidDeidentificationKeyException(
                    "KeyTooShort", $"The de-identification key (Deid:Key) decodes to {length} bytes; at least {MinimumBytes} are required.");
            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>A fresh random 32-byte key, base64 (the demo's; log <see cref="EphemeralNotice"/> when using it).</summary>
    public static string Ephemeral()
    {
        Span<byte> key = stackalloc byte[MinimumBytes];
        RandomNumberGenerator.Fill(key);
        var text = Convert.ToBase64String(key);
        CryptographicOperations.ZeroMemory(key);
        return text;
    }

    /// <summary>
    /// 16 hex digits identifying the key in run manifests: the first 8 bytes of HMAC-SHA256(key, label). It tells
    /// whether two runs used the same key (so their ids join) without revealing the key.
    /// </summary>
    public static string Fingerprint(ReadOnlySpan<byte> key)
    {
        Span<byte> mac = stackalloc byte[HmacSha256.HashSize];
        HMACSHA256.HashData(key, DerivationLabels.Fingerprint, mac);
        return Convert.ToHexStringLower(mac[..8]);
    }
}
