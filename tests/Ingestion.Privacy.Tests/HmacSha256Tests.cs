using System.Security.Cryptography;
using System.Text;

namespace Ingestion.Privacy.Tests;

public class HmacSha256Tests
{
    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(131)]
    public void Matches_the_framework_HMAC_for_every_message_length_across_block_boundaries(int keyLength)
    {
        var random = new Random(keyLength);
        var key = new byte[keyLength];
        random.NextBytes(key);
        var hmac = new HmacSha256(key);
        var actual = new byte[32];
        for (var length = 0; length <= 200; length++)
        {
            var message = new byte[length];
            random.NextBytes(message);
            hmac.Compute(message, actual);
            Assert.Equal(HMACSHA256.HashData(key, message), actual);
        }
    }

    [Fact]
    public void Reproduces_RFC_4231_test_case_2()
    {
        var hmac = new HmacSha256("Jefe"u8);
        var mac = new byte[32];
        hmac.Compute(Encoding.ASCII.GetBytes("what do ya want for nothing?"), mac);
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void Gives_the_same_result_from_many_threads()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var hmac = new HmacSha256(key);
        Parallel.For(0, 20_000, i =>
        {
            var message = BitConverter.GetBytes(i);
            var mac = new byte[32];
            hmac.Compute(message, mac);
            Assert.Equal(HMACSHA256.HashData(key, message), mac);
        });
    }
}
