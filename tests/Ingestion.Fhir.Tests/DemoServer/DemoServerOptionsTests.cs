using Ingestion.DemoServer;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Fhir.Tests.DemoServer;

public sealed class DemoServerOptionsTests
{
    [Fact]
    public void Options_bind_from_the_DemoServer_configuration_section_and_keep_defaults_otherwise()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DemoServer:Patients"] = "250",
            ["DemoServer:DefectRate"] = "0.05",
            ["DemoServer:ExportDelay"] = "00:00:03",
            ["DemoServer:Faults:ThrottleKickOff"] = "2",
            ["DemoServer:Faults:ThrottleRetryAfterFormat"] = "HttpDate",
        }).Build();
        var options = DemoServerOptions.FromConfiguration(configuration);
        Assert.Equal(250, options.Patients);
        Assert.Equal(0.05, options.DefectRate);
        Assert.Equal(TimeSpan.FromSeconds(3), options.ExportDelay);
        Assert.Equal(2, options.Faults.ThrottleKickOff);
        Assert.Equal(RetryAfterFormat.HttpDate, options.Faults.ThrottleRetryAfterFormat);
        Assert.Equal(1000, options.ResourcesPerFile);
        Assert.Equal(TimeSpan.FromMinutes(5), options.TokenLifetime);
    }

    [Fact]
    public async Task A_registration_that_is_not_a_jwks_is_refused_at_start()
    {
        foreach (var jwks in new[] { "not json", "{\"keys\":[]}" })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => DemoFhirServer.StartAsync(new DemoServerOptions
            {
                RequireAuth = true,
                Clients = [new DemoClientRegistration("c", jwks)],
            }));
            Assert.Contains("JSON Web Key Set", error.Message);
        }
    }

    [Fact]
    public async Task Auth_without_a_registered_client_is_refused_at_start()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => DemoFhirServer.StartAsync(new DemoServerOptions { RequireAuth = true }));
    }
}
