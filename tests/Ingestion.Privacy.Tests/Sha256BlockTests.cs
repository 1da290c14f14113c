namespace Ingestion.Privacy.Tests;

public class Sha256BlockTests
{
    [Fact]
    public void OpenSSL_compression_is_found_on_Linux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), Sha256Block.IsNativeAvailable);
    }

    [Fact]
    public void Native_and_managed_compressions_give_the_same_state_for_random_states_and_blocks()
    {
        // Off Linux there is no OpenSSL compression to compare (the managed one is tested against HMACSHA256 there).
        if (!OperatingSystem.IsLinux()) return;
        var random = new Random(19);
        var block = new byte[Sha256Block.Size];
        var managed = new uint[Sha256Block.StateWords];
        var native = new Sha256Context();
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(block);
            for (var j = 0; j < managed.Length; j++) managed[j] = native[j] = (uint)random.NextInt64(0, 1L << 32);
            Sha256Block.CompressManaged(managed, block);
            Sha256Block.CompressNative(ref native, block);
            Assert.Equal(managed, native[..Sha256Block.StateWords].ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(HmacSha256Tests.Compressions), MemberType = typeof(HmacSha256Tests))]
    public void Refuses_a_short_block_or_state_instead_of_reading_past_it(bool native)
    {
        Assert.Throws<ArgumentException>(() =>
        {
            var context = new Sha256Context();
            Sha256Block.Compress(ref context, new byte[Sha256Block.Size - 1], native);
        });
        Assert.Throws<ArgumentException>(() => Sha256Block.CompressManaged(new uint[7], new byte[Sha256Block.Size]));
    }
}
