namespace Ingestion.Azure.Identity;

/// <summary>An Azure setting is missing or not allowed (e.g. a key-bearing connection string for a real account).</summary>
public sealed class AzureConfigurationException(string errorCode, string message) : Exception(message)
{
    public const string MissingEndpoint = "MissingEndpoint";
    public const string ConnectionStringNotLocal = "ConnectionStringNotLocal";
    public const string UnknownCredential = "UnknownCredential";

    /// <summary>One of the constants above.</summary>
    public string ErrorCode { get; } = errorCode;
}
