using Ingestion.Fhir.BulkData;

namespace Ingestion.Fhir.Tests.BulkData;

public class BulkExportUrlPolicyTests
{
    private static BulkExportUrlPolicy Policy(bool allowHttp = false, params string[] hosts) =>
        new(new Uri("https://ehr.example.org/fhir/"), allowHttp, hosts);

    [Theory]
    [InlineData("https://ehr.example.org/fhir/files/1.ndjson")]
    [InlineData("https://EHR.example.org/other/path?sig=abc")]
    [InlineData("https://ehr.example.org:443/fhir/files/1.ndjson")]
    public void Urls_on_the_fhir_servers_origin_are_accepted(string url) =>
        Assert.Equal(new Uri(url), Policy().Check(url));

    [Theory]
    [InlineData("https://ehr.example.org:8443/fhir/files/1.ndjson", "neither")]
    [InlineData("https://files.example.org/1.ndjson", "neither")]
    [InlineData("http://ehr.example.org/fhir/files/1.ndjson", "not https")]
    [InlineData("https://user:pass@ehr.example.org/fhir/files/1.ndjson", "credentials")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "metadata")]
    [InlineData("https://[fd00:ec2::254]/latest/meta-data/", "metadata")]
    [InlineData("https://[fe80::1]/x", "metadata")]
    [InlineData("https://[::ffff:169.254.169.254]/x", "metadata")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1/", "metadata")]
    [InlineData("file:///etc/passwd", "not https")]
    public void Unsafe_urls_are_refused_with_the_reason(string url, string reason)
    {
        var error = Assert.Throws<BulkExportUnsafeUrlException>(() => Policy(false, "169.254.169.254", "metadata.google.internal").Check(url));
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void An_allow_listed_host_is_accepted_with_or_without_its_port()
    {
        var policy = Policy(false, "files.example.org", "blobs.example.net:8443");
        Assert.NotNull(policy.Check("https://files.example.org/export/1.ndjson"));
        Assert.NotNull(policy.Check("https://blobs.example.net:8443/export/1.ndjson"));
        Assert.False(policy.IsSameOrigin(new Uri("https://files.example.org/export/1.ndjson")));
    }

    [Fact]
    public void Http_is_accepted_only_when_allowed_for_local_development()
    {
        var local = new BulkExportUrlPolicy(new Uri("http://127.0.0.1:8080/fhir/"), allowInsecureHttp: true, []);
        Assert.NotNull(local.Check("http://127.0.0.1:8080/fhir/files/1.ndjson"));
        Assert.Throws<BulkExportUnsafeUrlException>(() => new BulkExportUrlPolicy(new Uri("http://127.0.0.1:8080/fhir/"), allowInsecureHttp: false, []));
    }

    [Fact]
    public void A_relative_url_resolves_against_the_url_it_came_from()
    {
        var resolved = Policy().Check("../bulkfiles/2.ndjson", new Uri("https://ehr.example.org/fhir/status/9"));
        Assert.Equal("https://ehr.example.org/fhir/bulkfiles/2.ndjson", resolved.AbsoluteUri);
    }
}
