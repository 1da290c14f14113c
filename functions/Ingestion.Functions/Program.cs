using Azure.Monitor.OpenTelemetry.Exporter;
using Ingestion.RunApi;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using OpenTelemetry;

// The isolated-worker Functions app: the run's orchestrator and activities (Durable triggers), the schedule timer and
// the run API (HTTP triggers, ASP.NET Core integration). Settings: local.settings.sample.json at the repository root.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// OpenTelemetry with the Functions worker's defaults (invocation spans, host correlation); exported to Application
// Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set, otherwise kept in-process only.
var telemetry = builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
if (!string.IsNullOrEmpty(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"])) telemetry.UseAzureMonitorExporter();

builder.Services.AddRunApi(builder.Configuration);
builder.Build().Run();
