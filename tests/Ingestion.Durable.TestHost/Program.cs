using Ingestion.Durable;
using Ingestion.Durable.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A standalone Durable worker for the crash tests: Durable:* and Effects:* come from the command line
// (--Durable:StorageConnection=… --Effects:Directory=…). Prints one line once the worker runs.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<EffectOptions>(builder.Configuration.GetSection("Effects"));
builder.Services.AddDurableTaskFrameworkHost(builder.Configuration.GetSection(DurableHostOptions.SectionName), tasks =>
{
    tasks.AddOrchestrator<EffectFanOutOrchestrator>();
    tasks.AddActivity<WriteEffectActivity>();
});
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"worker started {Environment.ProcessId}");
await host.WaitForShutdownAsync();
