using Azure.Messaging.ServiceBus;

namespace Ingestion.Azure.Tests.Events;

/// <summary>A <see cref="ServiceBusSender"/> (its members are virtual for this) that records what would be sent, or fails like the broker.</summary>
internal sealed class RecordingServiceBusSender(Exception? failure = null) : ServiceBusSender
{
    public List<ServiceBusMessage> Sent { get; } = [];

    public override string EntityPath => "ingestion-runs";

    public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null) throw failure;
        Sent.Add(message);
        return Task.CompletedTask;
    }
}
