using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Ingestion.Fhir.Auth;

/// <summary>Turns the configured private key (PEM or JWK) into signing credentials for RS384 or ES384.</summary>
public static class SmartSigningKey
{
    public static SigningCredentials Load(SmartBackendOptions options)
    {
        var algorithm = options.Algorithm.ToUpperInvariant() switch
        {
            "RS384" => SecurityAlgorithms.RsaSha384,
            "ES384" => SecurityAlgorithms.EcdsaSha384,
            _ => throw new SmartAuthenticationException($"Signing algorithm '{options.Algorithm}' is not supported: use RS384 or ES384."),
        };
        var rsa = algorithm == SecurityAlgorithms.RsaSha384;
        SecurityKey key;
        if (!string.IsNullOrWhiteSpace(options.Jwk)) key = FromJwk(options.Jwk, rsa, options.KeyId);
        else if (!string.IsNullOrWhiteSpace(options.PrivateKeyPem)) key = FromPem(options.PrivateKeyPem, rsa, options.KeyId);
        else throw new SmartAuthenticationException("No private key is configured: set Fhir:Smart:PrivateKeyPem or Fhir:Smart:Jwk (or --key-file).");
        return new SigningCredentials(key, algorithm);
    }

    private static SecurityKey FromPem(string pem, bool rsa, string? keyId)
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

    private static SecurityKey FromJwk(string json, bool rsa, string? keyId)
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
        var kid = keyId ?? jwk.Kid;
        if (string.IsNullOrEmpty(jwk.D))
            throw new SmartAuthenticationException("The JWK has no private part (d): the client needs its private key to sign.");
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
}
