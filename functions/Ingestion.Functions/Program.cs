using Azure.Monitor.OpenTelemetry.Exporter;
using Ingestion.Functions.Timer;
using Ingestion.Orchestration;
using Ingestion.RunApi;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// The isolated-worker Functions app: the run's orchestrators and activities (Durable triggers), the schedule timer
// and the run API (HTTP triggers, ASP.NET Core integration). Settings: local.settings.sample.json at the repository
// root; the Durable task hub and storage: host.json.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// OpenTelemetry with the Functions worker's defaults (invocation spans correlated with the host); exported to
// Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set, otherwise not exported.
// The pipeline's own spans (a run is a trace, with the HTTP client spans to the EHR inside) and metrics are added by name.
var telemetry = builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults()
    .WithTracing(tracing => tracing.AddSource(PipelineTelemetry.TraceSources))
    .WithMetrics(metrics => metrics.AddMeter(PipelineTelemetry.Name));
if (!string.IsNullOrEmpty(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"])) telemetry.UseAzureMonitorExporter();

builder.Services.AddExportPipeline(builder.Configuration);
builder.Services.AddRunApi(builder.Configuration);
builder.Services.AddSingleton(builder.Configuration.GetSection(ScheduleOptions.SectionName).Get<ScheduleOptions>() ?? new ScheduleOptions());
builder.Services.AddSingleton<SourceSchedule>();

var app = builder.Build();
// A source whose schedule does not parse stops the host at start-up, not at 2 a.m.
app.Services.GetRequiredService<SourceSchedule>().Validate();
app.Run();
