using System.Security.Cryptography;

namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>
/// RSA keys generated once per test run (generation takes seconds on a loaded 2-core machine). Tests get their own
/// RSA instance holding the shared parameters, so none can affect another.
/// </summary>
internal static class TestKeys
{
    private static readonly Lazy<RSAParameters> Registered = new(() => Generate());
    private static readonly Lazy<RSAParameters> Unregistered = new(() => Generate());

    public static RSA Rsa() => RSA.Create(Registered.Value);

    public static RSA OtherRsa() => RSA.Create(Unregistered.Value);

    private static RSAParameters Generate()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(true);
    }
}
