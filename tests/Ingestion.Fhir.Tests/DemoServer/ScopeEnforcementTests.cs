using System.Net;
using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Tests.BulkData;

namespace Ingestion.Fhir.Tests.DemoServer;

/// <summary>The demo server exports only what the token's SMART scopes permit, so scope handling can be tested against it.</summary>
public class ScopeEnforcementTests
{
    [Fact]
    public async Task A_patient_read_scope_exports_patients_only()
    {
        await using var demo = await DemoExport.StartAsync(new DemoServerOptions { Patients = 3 }, auth: true);
        using var client = demo.CreateClient(auth: true, configureAuth: o => o.Scope = "system/Patient.read");

        var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None), null, CancellationToken.None);

        Assert.NotEmpty(manifest.Output);
        Assert.All(manifest.Output, f => Assert.Equal("Patient", f.Type));
    }

    [Fact]
    public async Task Asking_for_a_type_outside_the_scopes_is_refused_with_403()
    {
        await using var demo = await DemoExport.StartAsync(new DemoServerOptions { Patients = 3 }, auth: true);
        using var client = demo.CreateClient(auth: true, configureAuth: o => o.Scope = "system/Patient.read");

        var error = await Assert.ThrowsAsync<BulkExportKickOffException>(() => client.KickOffAsync(new BulkExportRequest { Types = ["Patient", "Observation"] }, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("Observation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wildcard_scope_exports_every_type()
    {
        await using var demo = await DemoExport.StartAsync(new DemoServerOptions { Patients = 3 }, auth: true);
        using var client = demo.CreateClient(auth: true);

        var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None), null, CancellationToken.None);

        Assert.Contains(manifest.Output, f => f.Type != "Patient");
    }
}
