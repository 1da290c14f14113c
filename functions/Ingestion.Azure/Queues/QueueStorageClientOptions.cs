using Ingestion.Azure.Storage;

namespace Ingestion.Azure.Queues;

/// <summary>How message text is put on the wire.</summary>
public enum QueueMessageEncoding
{
    /// <summary>Base64 of the UTF-8 text: what the Azure Functions queue trigger expects by default.</summary>
    Base64,
    /// <summary>The text as is (XML-escaped by the client).</summary>
    None,
}

/// <summary>Options of <see cref="QueueStorageClient"/>.</summary>
public sealed class QueueStorageClientOptions : StorageClientOptions
{
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;
}
