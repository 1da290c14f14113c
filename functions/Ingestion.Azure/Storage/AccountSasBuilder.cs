using System.Globalization;

namespace Ingestion.Azure.Storage;

/// <summary>
/// Issues an account shared access signature (version 2020-12-06 and later string-to-sign:
/// account \n permissions \n services \n resourceTypes \n start \n expiry \n ip \n protocol \n version \n encryptionScope \n).
/// Used to hand a scoped, expiring token to a component that must not hold the account key.
/// </summary>
public sealed record AccountSasBuilder(string Permissions, string Services, string ResourceTypes, DateTimeOffset ExpiresOn)
{
    public DateTimeOffset? StartsOn { get; init; }

    /// <summary>"https" or "https,http" (Azurite is plain HTTP).</summary>
    public string Protocol { get; init; } = "https,http";

    public string Version { get; init; } = StorageClientOptions.DefaultServiceVersion;

    /// <summary>The query string token (without '?').</summary>
    public string ToSasToken(StorageSharedKeyCredential credential)
    {
        var start = StartsOn is { } s ? Format(s) : string.Empty;
        var expiry = Format(ExpiresOn);
        var stringToSign = string.Join('\n', credential.AccountName, Permissions, Services, ResourceTypes, start, expiry,
            string.Empty, Protocol, Version, string.Empty, string.Empty);
        var signature = credential.ComputeSignature(stringToSign);
        var token = $"sv={Version}&ss={Services}&srt={ResourceTypes}&sp={Permissions}&se={Uri.EscapeDataString(expiry)}&spr={Uri.EscapeDataString(Protocol)}";
        if (start.Length > 0) token += $"&st={Uri.EscapeDataString(start)}";
        return token + $"&sig={Uri.EscapeDataString(signature)}";
    }

    private static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
