using System.Security.Cryptography;
using System.Text;

namespace Ingestion.Privacy.Tests;

public class HmacSha256Tests
{
    /// <summary>Both compressions where this machine has both (on Linux it must: see Sha256BlockTests).</summary>
    public static TheoryData<bool> Compressions() => Sha256Block.IsNativeAvailable ? new TheoryData<bool> { false, true } : new TheoryData<bool> { false };

    public static TheoryData<int, bool> KeyLengthsAndCompressions()
    {
        var data = new TheoryData<int, bool>();
        foreach (var keyLength in new[] { 1, 20, 32, 63, 64, 65, 131 })
        {
            data.Add(keyLength, false);
            if (Sha256Block.IsNativeAvailable) data.Add(keyLength, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KeyLengthsAndCompressions))]
    public void Matches_the_framework_HMAC_for_every_message_length_across_block_boundaries(int keyLength, bool native)
    {
        var random = new Random(keyLength);
        var key = new byte[keyLength];
        random.NextBytes(key);
        var hmac = new HmacSha256(key, native);
        var actual = new byte[32];
        for (var length = 0; length <= 300; length++)
        {
            var message = new byte[length];
            random.NextBytes(message);
            hmac.Compute(message, actual);
            Assert.Equal(HMACSHA256.HashData(key, message), actual);
        }
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Reproduces_RFC_4231_test_case_2(bool native)
    {
        var hmac = new HmacSha256("Jefe"u8, native);
        var mac = new byte[32];
        hmac.Compute(Encoding.ASCII.GetBytes("what do ya want for nothing?"), mac);
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(mac));
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Gives_the_same_result_from_many_threads(bool native)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var hmac = new HmacSha256(key, native);
        Parallel.For(0, 20_000, i =>
        {
            var message = BitConverter.GetBytes(i);
            var mac = new byte[32];
            hmac.Compute(message, mac);
            Assert.Equal(HMACSHA256.HashData(key, message), mac);
        });
    }

    [Fact]
    public void Runs_on_OpenSSL_compression_on_Linux_by_default()
    {
        var hmac = new HmacSha256(RandomNumberGenerator.GetBytes(32));
        // On Linux the runtime's crypto is OpenSSL, so its compression must be found: a silent fallback to the
        // managed rounds would cost several times the CPU per derivation and fail here instead of going unnoticed.
        Assert.Equal(OperatingSystem.IsLinux(), hmac.IsNative);
    }
}
