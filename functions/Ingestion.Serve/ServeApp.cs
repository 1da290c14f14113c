using System.Net;
using Ingestion.Durable;
using Ingestion.Orchestration;
using Ingestion.RunApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ingestion.Serve;

/// <summary>
/// The standalone run API host: the run's orchestrations on the Durable Task Framework (Durable section), the pipeline
/// services (AddExportPipeline) and the same run API endpoints the Functions app exposes, behind serve's access rules.
/// </summary>
public static class ServeApp
{
    /// <summary>
    /// Builds the app, or throws <see cref="ServeConfigurationException"/> when the settings would be unsafe.
    /// <paramref name="configureBuilder"/> runs before the pipeline's services are added, so what it registers wins.
    /// </summary>
    public static WebApplication Build(IConfiguration configuration, ServeOptions options, Action<WebApplicationBuilder>? configureBuilder = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var urls = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var apiKey = CheckCredential(options, urls);
        var allowedHosts = options.AllowedHosts.Count > 0 ? options.AllowedHosts : ["localhost", "127.0.0.1", "[::1]"];
        if (allowedHosts.Contains("*")) throw new ServeConfigurationException("Serve:AllowedHosts may not be '*': list the host names clients use.");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseUrls(urls);
        builder.Services.Configure<HostFilteringOptions>(o =>
        {
            o.AllowedHosts = allowedHosts;
            o.AllowEmptyHosts = false;
        });
        builder.Services.AddSingleton(options);
        if (apiKey is not null) builder.Services.AddSingleton(apiKey);
        if (options.Entra.IsConfigured) ServeEntraAuthentication.Add(builder.Services, options.Entra);
        // Before the pipeline's registrations, which only add what is still missing (Azure adapters, test doubles).
        configureBuilder?.Invoke(builder);
        builder.Services.AddExportPipeline(configuration);
        builder.Services.AddDurableTaskFrameworkHost(configuration.GetSection(DurableHostOptions.SectionName), registry => registry.AddExportOrchestration());
        builder.Services.AddRunApi(configuration);
        builder.Services.AddHostedService<AlertEvaluationService>();
        // The pipeline's spans and metrics over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (a local collector, Aspire...).
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddSource(PipelineTelemetry.TraceSources).AddOtlpExporter())
                .WithMetrics(metrics => metrics.AddMeter(PipelineTelemetry.Name).AddOtlpExporter());
        }

        var app = builder.Build();
        // A missing or bad Deid:Key fails here, before the host listens.
        _ = app.Services.GetRequiredService<RunKeyPin>().Fingerprint;
        app.UseHostFiltering();
        app.UseMiddleware<ServeAccessMiddleware>();
        app.MapRunApi();
        app.MapDashboard();
        return app;
    }

    private static ApiKeyCheck? CheckCredential(ServeOptions options, string[] urls)
    {
        if (options.Entra.IsConfigured) ServeEntraAuthentication.Check(options.Entra);
        ApiKeyCheck? key = null;
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            if (options.ApiKey.Length < 32) throw new ServeConfigurationException("Serve:ApiKey must be at least 32 characters (e.g. `openssl rand -base64 32`).");
            key = new ApiKeyCheck(options.ApiKey);
        }
        if (key is not null || options.Entra.IsConfigured) return key;
        if (!options.InsecureLocal)
            throw new ServeConfigurationException("serve needs a credential: set Serve__ApiKey (sent by clients in the X-Api-Key header) or an Entra ID issuer (Serve__Entra__Issuer and Serve__Entra__Audience), or pass --insecure-local on a loopback address for local development.");
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || !(uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))))
                throw new ServeConfigurationException($"--insecure-local serves loopback addresses only; '{url}' is not one. Set Serve__ApiKey to listen there.");
        }
        return null;
    }
}
