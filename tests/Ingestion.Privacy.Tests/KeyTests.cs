namespace Ingestion.Privacy.Tests;

public class KeyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_key_stops_the_deidentifier_with_instructions(string? key)
    {
        var e = Assert.Throws<MissingDeidentificationKeyException>(() => new KeyedDeidentifier(new DeidentificationOptions { Key = key }));
        Assert.Equal("KeyMissing", e.ErrorCode);
        Assert.Contains("Deid__Key", e.Message);
        Assert.Contains("Deid:Key", e.Message);
    }

    [Fact]
    public void A_key_that_is_not_base64_is_rejected_without_echoing_it()
    {
        const string key = "this-is-not!base64~but-it-is-secret-material-0123456789";
        var e = Assert.Throws<InvalidDeidentificationKeyException>(() => new KeyedDeidentifier(new DeidentificationOptions { Key = key }));
        Assert.Equal("KeyNotBase64", e.ErrorCode);
        Assert.DoesNotContain(key, e.ToString());
        Assert.DoesNotContain("secret-material", e.ToString());
    }

    [Fact]
    public void A_key_shorter_than_32_bytes_is_rejected_without_echoing_it()
    {
        var key = Convert.ToBase64String(new byte[31].Select((_, i) => (byte)(i + 7)).ToArray());
        var e = Assert.Throws<InvalidDeidentificationKeyException>(() => new KeyedDeidentifier(new DeidentificationOptions { Key = key }));
        Assert.Equal("KeyTooShort", e.ErrorCode);
        Assert.Contains("31 bytes", e.Message);
        Assert.DoesNotContain(key, e.ToString());
        Assert.DoesNotContain(key[..8], e.ToString());
    }

    [Fact]
    public void An_unresolved_Key_Vault_reference_is_named_as_such()
    {
        const string reference = "@Microsoft.KeyVault(SecretUri=https://contoso-kv.vault.azure.net/secrets/deid-key/)";
        var e = Assert.Throws<InvalidDeidentificationKeyException>(() => DeidentificationKey.Parse(reference));
        Assert.Equal("KeyVaultReferenceUnresolved", e.ErrorCode);
        Assert.DoesNotContain("contoso-kv", e.Message);
    }

    [Fact]
    public void Keys_of_32_bytes_or_more_are_accepted_with_surrounding_whitespace()
    {
        Assert.Equal(32, DeidentificationKey.Parse(TestKeys.Primary).Length);
        Assert.Equal(64, DeidentificationKey.Parse(" " + Convert.ToBase64String(new byte[64]) + "\n").Length);
    }

    [Fact]
    public void The_fingerprint_is_stable_short_hex_and_reveals_no_key_bytes()
    {
        var key = DeidentificationKey.Parse(TestKeys.Primary);
        var fingerprint = DeidentificationKey.Fingerprint(key);
        Assert.Matches("^[0-9a-f]{16}$", fingerprint);
        Assert.Equal(fingerprint, DeidentificationKey.Fingerprint(DeidentificationKey.Parse(TestKeys.Primary)));
        Assert.Equal(fingerprint, TestKeys.Deidentifier().KeyFingerprint);
        Assert.DoesNotContain(Convert.ToHexStringLower(key.AsSpan(0, 4)), fingerprint);
        Assert.DoesNotContain(TestKeys.Primary[..6], fingerprint);
        Assert.NotEqual(fingerprint, DeidentificationKey.Fingerprint(DeidentificationKey.Parse(TestKeys.Other)));
    }

    [Fact]
    public void The_ephemeral_demo_key_differs_each_time_and_says_it_is_ephemeral()
    {
        var a = new KeyedDeidentifier(new DeidentificationOptions { UseEphemeralKey = true });
        var b = new KeyedDeidentifier(new DeidentificationOptions { UseEphemeralKey = true });
        Assert.True(a.IsKeyEphemeral);
        Assert.StartsWith("ephemeral-", a.KeyFingerprint);
        Assert.NotEqual(a.KeyFingerprint, b.KeyFingerprint);
        Assert.NotEqual(a.PseudonymousId(OmopKeyDomain.Person, "p1"), b.PseudonymousId(OmopKeyDomain.Person, "p1"));
        Assert.NotEqual(DeidentificationKey.Ephemeral(), DeidentificationKey.Ephemeral());
        Assert.Equal(32, DeidentificationKey.Parse(DeidentificationKey.Ephemeral()).Length);
        Assert.Contains("EPHEMERAL", DeidentificationKey.EphemeralNotice);
    }

    [Fact]
    public void A_configured_key_wins_over_the_ephemeral_switch()
    {
        var deid = new KeyedDeidentifier(new DeidentificationOptions { Key = TestKeys.Primary, UseEphemeralKey = true });
        Assert.False(deid.IsKeyEphemeral);
        Assert.Equal(TestKeys.Deidentifier().KeyFingerprint, deid.KeyFingerprint);
    }

    [Fact]
    public void Options_never_print_the_key()
    {
        var options = new DeidentificationOptions { Key = TestKeys.Primary, CrosswalkLocation = "https://vault.example/crosswalk" };
        var text = options.ToString();
        Assert.DoesNotContain(TestKeys.Primary, text);
        Assert.DoesNotContain("vault.example", text);
        Assert.Contains("MaxShiftDays = 365", text);
        Assert.Contains("Key = (set)", text);
    }
}
