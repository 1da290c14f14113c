using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingestion.Durable.Hosting;

/// <summary>The worker's data converter is the one registered in the container, when there is one (else the SDK's default).</summary>
internal sealed class RegisteredDataConverter(IServiceProvider services) : IPostConfigureOptions<DurableTaskWorkerOptions>
{
    public void PostConfigure(string? name, DurableTaskWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (services.GetService<DataConverter>() is { } converter) options.DataConverter = converter;
    }
}
