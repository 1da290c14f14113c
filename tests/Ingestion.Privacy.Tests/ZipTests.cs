namespace Ingestion.Privacy.Tests;

public class ZipTests
{
    [Theory]
    [InlineData("02139", "021")]
    [InlineData("02139-4307", "021")]
    [InlineData("021394307", "021")]
    [InlineData(" 90210 ", "902")]
    [InlineData("03601", "000")]
    [InlineData("89301-1234", "000")]
    [InlineData("82301", "000")]
    public void US_ZIPs_become_ZIP3_and_restricted_prefixes_become_000(string postalCode, string expected)
    {
        Assert.Equal(expected, TestKeys.Deidentifier().GeneralizeZip(postalCode));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("K1A 0B1")]
    [InlineData("SW1A 1AA")]
    [InlineData("1234")]
    [InlineData("123456")]
    [InlineData("02139-43")]
    [InlineData("0213A")]
    [InlineData("02139_4307")]
    public void Non_US_and_malformed_postal_codes_give_null(string? postalCode)
    {
        Assert.Null(TestKeys.Deidentifier().GeneralizeZip(postalCode));
    }

    [Fact]
    public void Every_listed_prefix_is_restricted_and_no_other()
    {
        var deid = TestKeys.Deidentifier();
        Assert.Equal(17, RestrictedZip3.All.Length);
        for (var prefix = 0; prefix < 1000; prefix++)
        {
            var zip3 = prefix.ToString("000", System.Globalization.CultureInfo.InvariantCulture);
            var listed = RestrictedZip3.All.Contains(zip3);
            Assert.Equal(listed, RestrictedZip3.Contains(zip3));
            Assert.Equal(listed ? "000" : zip3, deid.GeneralizeZip(zip3 + "42"));
        }
    }
}
