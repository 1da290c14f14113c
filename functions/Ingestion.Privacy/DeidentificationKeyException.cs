namespace Ingestion.Privacy;

/// <summary>
/// The de-identification key is missing or unusable. <see cref="ErrorCode"/> tells which; the message says how to
/// fix it and never contains the key or any part of it.
/// </summary>
public abstract class DeidentificationKeyException : Exception
{
    private protected DeidentificationKeyException(string errorCode, string message) : base(message) => ErrorCode = errorCode;

    /// <summary>KeyMissing, KeyVaultReferenceUnresolved, KeyNotBase64 or KeyTooShort.</summary>
    public string ErrorCode { get; }

    private protected const string HowToSet =
        "Set the setting Deid:Key (environment variable Deid__Key) to a base64 string of at least "
        + "32 random bytes, e.g. the output of 'openssl rand -base64 32'; in Azure, make the app setting a Key Vault reference.";
}

/// <summary>No key is configured and the ephemeral demo key is not enabled: the app refuses to de-identify.</summary>
public sealed class MissingDeidentificationKeyException : DeidentificationKeyException
{
    public MissingDeidentificationKeyException()
        : base("KeyMissing", "No de-identification key is configured. " + HowToSet
                             + " (The demo runs with an ephemeral random key instead.)")
    {
    }
}

/// <summary>A key is configured but is not base64 or is shorter than 32 bytes.</summary>
public sealed class InvalidDeidentificationKeyException : DeidentificationKeyException
{
    internal InvalidDeidentificationKeyException(string errorCode, string problem) : base(errorCode, problem + " " + HowToSet)
    {
    }
}
