using System.Net;
using System.Net.Http.Headers;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Net;
using Ingestion.Fhir.Tests.BulkData;

namespace Ingestion.Fhir.Tests.Security;

/// <summary>The address policy, Retry-After reading, poll spacing and URL redaction the clients rely on.</summary>
public class NetworkSafetyTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("2002:7f00:1::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.20.0.1", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("fd12:3456::1", "private")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("::ffff:169.254.169.254", "metadata")]
    [InlineData("64:ff9b::a9fe:a9fe", "metadata")]
    [InlineData("fe80::1", "metadata")]
    [InlineData("fd00:ec2::254", "metadata")]
    [InlineData("168.63.129.16", "metadata")]
    [InlineData("100.100.100.200", "metadata")]
    [InlineData("0.0.0.0", "unicast")]
    public void Internal_addresses_in_any_spelling_are_refused_by_default(string address, string kind)
    {
        var reason = NetworkAddressPolicy.Refusal(IPAddress.Parse(address), allowPrivateNetwork: false);

        Assert.NotNull(reason);
        Assert.Contains(kind, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("fe80::1")]
    public void Metadata_addresses_stay_refused_when_a_private_network_is_allowed(string address) =>
        Assert.NotNull(NetworkAddressPolicy.Refusal(IPAddress.Parse(address), allowPrivateNetwork: true));

    [Theory]
    [InlineData("93.184.216.34", false)]
    [InlineData("2606:4700::1111", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.5", true)]
    public void Public_addresses_and_explicitly_allowed_private_ones_pass(string address, bool allowPrivate) =>
        Assert.Null(NetworkAddressPolicy.Refusal(IPAddress.Parse(address), allowPrivate));

    private static readonly DateTimeOffset Now = new(2026, 12, 6, 5, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("7", 7)]
    [InlineData("Sun, 06 Dec 2026 05:00:30 GMT", 30)]
    [InlineData("1796533245", 45)]
    [InlineData("1796533245000", 45)]
    [InlineData("1796533100", 0)]
    public void Retry_after_is_read_as_delta_seconds_http_date_or_epoch_seconds_and_milliseconds(string value, int seconds)
    {
        // 1796533200 is 2026-12-06T05:00:00Z.
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfterHeader.Parse(value, Now));
    }

    [Fact]
    public async Task Polls_are_spaced_to_stay_under_the_per_minute_limit_whatever_retry_after_says()
    {
        var handler = new FakeFhirHandler(_ =>
        {
            var response = FakeFhirHandler.Status(HttpStatusCode.Accepted);
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
            return response;
        });
        var clock = new ManualClock(Now);
        using var client = new BulkExportClient(handler, new BulkExportClientOptions
        {
            BaseUrl = new Uri("https://fhir.test/r4/"),
            TimeProvider = clock,
            RetryAfterFloor = TimeSpan.Zero,
            MaxStatusRequestsPerMinute = 20,
        });

        var result = await client.PollAsync(new BulkExportJob("https://fhir.test/r4/status/1", Now), CancellationToken.None);

        Assert.True(result.Job.NextPollAt - Now >= TimeSpan.FromSeconds(3), $"next poll after {result.Job.NextPollAt - Now}");
    }

    [Theory]
    [InlineData("https://files.test/x/Patient.ndjson?sig=abc&se=2026", "https://files.test/x/Patient.ndjson?…")]
    [InlineData("https://user:pw@files.test:8443/x#frag", "https://files.test:8443/x")]
    [InlineData("/fhir/status/1?token=abc", "/fhir/status/1?…")]
    public void Urls_are_redacted_to_scheme_host_port_and_path(string url, string expected) =>
        Assert.Equal(expected, UrlRedaction.Redact(url));

    [Fact]
    public void Urls_quoted_inside_a_message_lose_their_query_strings() =>
        Assert.Equal("see https://a.test/f?… and http://b.test/g.", UrlRedaction.RedactIn("see https://a.test/f?sig=SECRET and http://b.test/g."));
}
