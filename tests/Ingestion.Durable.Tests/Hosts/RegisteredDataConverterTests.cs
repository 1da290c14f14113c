using Ingestion.Durable.Tests.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Durable.Tests.Hosts;

/// <summary>The app's registered data converter carries the worker's payloads as well as the client's (the CLI registers one with build-time JSON metadata).</summary>
public sealed class RegisteredDataConverterTests
{
    [Fact]
    public async Task A_data_converter_registered_in_the_container_serializes_the_activities_inputs_and_outputs_too()
    {
        var converter = new CountingConverter();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<ActivityLedger>();
        builder.Services.AddSingleton<DataConverter>(converter);
        builder.Services.AddDurableTaskFrameworkHost(o => o.Backend = DurableBackend.InMemory, TestTaskRegistry.Register);
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutFanInOrchestrator), 4, patience.Token);
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, patience.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(1 + 4 + 9 + 16, done.ReadOutputAs<int>());
        // The client writes the input once and reads the output once; the rest are the worker's: the orchestration's
        // input, 4 activity inputs read by the activities and 4 results read back by the orchestration.
        Assert.True(converter.Deserialized >= 1 + 4 + 4 + 1, $"the registered converter read {converter.Deserialized} payloads");
        await host.StopAsync();
    }

    private sealed class CountingConverter : DataConverter
    {
        private int _deserialized;
        public int Deserialized => Volatile.Read(ref _deserialized);

        public override string? Serialize(object? value) => JsonDataConverter.Default.Serialize(value);

        public override object? Deserialize(string? data, Type targetType)
        {
            Interlocked.Increment(ref _deserialized);
            return JsonDataConverter.Default.Deserialize(data, targetType);
        }
    }
}
