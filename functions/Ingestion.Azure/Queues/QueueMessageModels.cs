namespace Ingestion.Azure.Queues;

/// <summary>A received message: decoded text, the pop receipt needed to update or delete it, and how often it was dequeued.</summary>
public sealed record QueueMessage(string MessageId, string PopReceipt, string MessageText, int DequeueCount,
    DateTimeOffset InsertionTime, DateTimeOffset ExpirationTime, DateTimeOffset TimeNextVisible);

/// <summary>The service's answer to Put Message.</summary>
public sealed record QueueSendReceipt(string MessageId, string PopReceipt, DateTimeOffset InsertionTime, DateTimeOffset ExpirationTime, DateTimeOffset TimeNextVisible);

/// <summary>The service's answer to Update Message: the new pop receipt and when the message becomes visible again.</summary>
public sealed record QueueUpdateReceipt(string PopReceipt, DateTimeOffset TimeNextVisible);
