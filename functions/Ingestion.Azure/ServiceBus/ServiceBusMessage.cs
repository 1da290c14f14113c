namespace Ingestion.Azure.ServiceBus;

/// <summary>
/// A message to send. <see cref="MessageId"/> drives duplicate detection (at most 128 characters);
/// <see cref="ApplicationProperties"/> values are strings, numbers or booleans (sent as custom-property headers).
/// </summary>
public sealed record ServiceBusMessage(ReadOnlyMemory<byte> Body)
{
    public string? MessageId { get; init; }
    public string? ContentType { get; init; }
    public string? Subject { get; init; }
    public string? CorrelationId { get; init; }
    public IReadOnlyDictionary<string, object> ApplicationProperties { get; init; } = new Dictionary<string, object>();
}
