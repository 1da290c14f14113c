using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Fhir.Auth;

/// <summary>
/// Turns the configured private key (PEM or JWK) into signing credentials for RS384 or ES384, checking algorithm and
/// key together (RS384: RSA of at least 2048 bits; ES384: EC on P-384 only, since another curve signs with the wrong
/// length), and always giving the key a <c>kid</c>: the configured one, the JWK's, or its RFC 7638 thumbprint.
/// </summary>
public static class SmartSigningKey
{
    private const int MinRsaBits = 2048;
    private const string P384Oid = "1.3.132.0.34";

    public static SigningCredentials Load(SmartBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var algorithm = options.Algorithm.ToUpperInvariant() switch
        {
            "RS384" => SecurityAlgorithms.RsaSha384,
            "ES384" => SecurityAlgorithms.EcdsaSha384,
            _ => throw new SmartAuthenticationException($"Signing algorithm '{options.Algorithm}' is not supported: use RS384 or ES384."),
        };
        var rsa = algorithm == SecurityAlgorithms.RsaSha384;
        AsymmetricSecurityKey key;
        if (!string.IsNullOrWhiteSpace(options.Jwk)) key = FromJwk(options.Jwk, rsa, options.KeyId);
        else if (!string.IsNullOrWhiteSpace(options.PrivateKeyPem)) key = FromPem(options.PrivateKeyPem, rsa, options.KeyId);
        else throw new SmartAuthenticationException("No private key is configured: set Fhir:Smart:PrivateKeyPem or Fhir:Smart:Jwk (or --key-file).");
        CheckStrength(key, rsa);
        if (string.IsNullOrEmpty(key.KeyId)) key.KeyId = Thumbprint(key);
        return new SigningCredentials(key, algorithm);
    }

    /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url) of the key's public part: the kid servers can compute too.</summary>
    public static string Thumbprint(AsymmetricSecurityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var jwk = key switch
        {
            RsaSecurityKey r => JsonWebKeyConverter.ConvertFromRSASecurityKey(r),
            ECDsaSecurityKey e => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(e),
            _ => throw new SmartAuthenticationException("Only RSA and EC keys are supported."),
        };
        return Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }

    private static void CheckStrength(AsymmetricSecurityKey key, bool rsa)
    {
        if (rsa)
        {
            var bits = key is RsaSecurityKey { Rsa: { } r } ? r.KeySize : key is RsaSecurityKey k ? k.Parameters.Modulus!.Length * 8 : 0;
            if (bits < MinRsaBits)
                throw new SmartAuthenticationException($"RS384 needs an RSA key of at least {MinRsaBits} bits; this one has {bits}. Generate a new key and register its JWKS.");
            return;
        }
        var curve = ((ECDsaSecurityKey)key).ECDsa.ExportParameters(false).Curve;
        if (curve.Oid?.Value != P384Oid && curve.Oid?.FriendlyName is not ("nistP384" or "ECDSA_P384" or "secp384r1"))
            throw new SmartAuthenticationException($"ES384 needs an EC key on curve P-384; this one is on {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "an unnamed curve"} (it would sign with the wrong length).");
    }

    private static AsymmetricSecurityKey FromPem(string pem, bool rsa, string? keyId)
    {
        try
        {
            if (rsa)
            {
                var key = RSA.Create();
                key.ImportFromPem(pem);
                return new RsaSecurityKey(key) { KeyId = keyId };
            }
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec) { KeyId = keyId };
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new SmartAuthenticationException($"The private key PEM could not be read as an {(rsa ? "RSA" : "EC P-384")} private key; check the key file and the algorithm.", innerException: e);
        }
    }

    private static AsymmetricSecurityKey FromJwk(string json, bool rsa, string? keyId)
    {
        JsonWebKey jwk;
        try
        {
            jwk = new JsonWebKey(json);
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            throw new SmartAuthenticationException("The JWK is not valid JSON Web Key text.", innerException: e);
        }
        var kid = keyId ?? (string.IsNullOrEmpty(jwk.Kid) ? null : jwk.Kid);
        if (string.IsNullOrEmpty(jwk.D))
            throw new SmartAuthenticationException("The JWK has no private part (d): the client needs its private key to sign.");
        var expected = rsa ? "RS384" : "ES384";
        if (!string.IsNullOrEmpty(jwk.Alg) && !string.Equals(jwk.Alg, expected, StringComparison.Ordinal))
            throw new SmartAuthenticationException($"The JWK is registered for '{jwk.Alg}' but Fhir:Smart:Algorithm is {expected}; they must match.");
        try
        {
            if (rsa)
            {
                if (jwk.Kty != JsonWebAlgorithmsKeyTypes.RSA) throw new SmartAuthenticationException($"RS384 needs an RSA JWK, this one is '{jwk.Kty}'.");
                var parameters = new RSAParameters
                {
                    Modulus = Base64UrlEncoder.DecodeBytes(jwk.N),
                    Exponent = Base64UrlEncoder.DecodeBytes(jwk.E),
                    D = Base64UrlEncoder.DecodeBytes(jwk.D),
                    P = Base64UrlEncoder.DecodeBytes(jwk.P),
                    Q = Base64UrlEncoder.DecodeBytes(jwk.Q),
                    DP = Base64UrlEncoder.DecodeBytes(jwk.DP),
                    DQ = Base64UrlEncoder.DecodeBytes(jwk.DQ),
                    InverseQ = Base64UrlEncoder.DecodeBytes(jwk.QI),
                };
                return new RsaSecurityKey(RSA.Create(parameters)) { KeyId = kid };
            }
            if (jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve || jwk.Crv != "P-384")
                throw new SmartAuthenticationException("ES384 needs an EC JWK on curve P-384.");
            var ec = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP384,
                D = Base64UrlEncoder.DecodeBytes(jwk.D),
                Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
            });
            return new ECDsaSecurityKey(ec) { KeyId = kid };
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException)
        {
            throw new SmartAuthenticationException("The JWK's key members could not be read as a private key.", innerException: e);
        }
    }
}
