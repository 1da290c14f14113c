using System.Globalization;
using System.Security;
using System.Text;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Ingestion.Azure.Storage;

namespace Ingestion.Azure.Queues;

/// <summary>
/// A Queue Storage REST client on Azure.Core's <see cref="HttpPipeline"/> (Azure.Storage.Queues cannot be restored
/// here): create, put (visibility delay and time-to-live), get (visibility timeout), update (lease extension:
/// new pop receipt), delete, approximate count. Message text is base64-encoded by default, as the Functions queue
/// trigger expects. Failures throw <see cref="QueueStorageException"/>.
/// </summary>
public class QueueStorageClient
{
    /// <summary>The service's limit on messages per Get Messages call.</summary>
    public const int MaxMessagesPerReceive = 32;

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    public QueueStorageClient(Uri serviceEndpoint, StorageCredential credential, QueueStorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serviceEndpoint);
        ArgumentNullException.ThrowIfNull(credential);
        Options = options ?? new QueueStorageClientOptions();
        _endpoint = StoragePipeline.DirectoryUri(serviceEndpoint);
        _pipeline = StoragePipeline.Build(Options, credential);
    }

    public static QueueStorageClient FromConnectionString(string connectionString, QueueStorageClientOptions? options = null)
    {
        var parsed = StorageConnectionString.Parse(connectionString);
        return new QueueStorageClient(parsed.QueueEndpoint, parsed.Credential, options);
    }

    public QueueStorageClientOptions Options { get; }

    public Uri Endpoint => _endpoint;

    /// <summary>Creates a queue; false when it existed already.</summary>
    public virtual async Task<bool> CreateIfNotExistsAsync(string queue, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, queue, "");
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Create queue", message.Response);
        return message.Response.Status == 201;
    }

    public virtual async Task<bool> DeleteQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, queue, "");
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404) return false;
        EnsureSuccess("Delete queue", message.Response);
        return true;
    }

    /// <summary>
    /// Put Message. <paramref name="visibilityDelay"/> keeps it invisible that long (the durable timer; at most 7 days);
    /// <paramref name="timeToLive"/> null = the service default (7 days), <see cref="Timeout.InfiniteTimeSpan"/> = never expires.
    /// </summary>
    public virtual async Task<QueueSendReceipt> SendMessageAsync(string queue, string messageText, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, queue, "/messages");
        if (visibilityDelay is { } delay && delay > TimeSpan.Zero) message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(delay));
        if (timeToLive is { } ttl) message.Request.Uri.AppendQuery("messagettl", ttl == Timeout.InfiniteTimeSpan ? "-1" : Seconds(ttl));
        SetMessageBody(message.Request, messageText);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Put message", message.Response);
        var element = (await ReadMessagesAsync(message.Response, cancellationToken).ConfigureAwait(false)).Single();
        return new QueueSendReceipt(Text(element, "MessageId"), Text(element, "PopReceipt"), Time(element, "InsertionTime"),
            Time(element, "ExpirationTime"), Time(element, "TimeNextVisible"));
    }

    /// <summary>Get Messages: up to <paramref name="maxMessages"/> (1..32) visible messages, hidden for <paramref name="visibilityTimeout"/>.</summary>
    public virtual async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerReceive);
        using var message = CreateMessage(RequestMethod.Get, queue, "/messages");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture));
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout, minimum: 1));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Get messages", message.Response);
        var messages = new List<QueueMessage>();
        foreach (var element in await ReadMessagesAsync(message.Response, cancellationToken).ConfigureAwait(false))
        {
            messages.Add(new QueueMessage(Text(element, "MessageId"), Text(element, "PopReceipt"), Decode(Text(element, "MessageText")),
                int.Parse(Text(element, "DequeueCount"), CultureInfo.InvariantCulture), Time(element, "InsertionTime"),
                Time(element, "ExpirationTime"), Time(element, "TimeNextVisible")));
        }
        return messages;
    }

    /// <summary>Update Message: hides the message for <paramref name="visibilityTimeout"/> from now (a lease extension), optionally replacing its text.</summary>
    public virtual async Task<QueueUpdateReceipt> UpdateMessageAsync(string queue, string messageId, string popReceipt, TimeSpan visibilityTimeout, string? messageText = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, queue, "/messages/" + Uri.EscapeDataString(messageId));
        message.Request.Uri.AppendQuery("popreceipt", popReceipt);
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout));
        if (messageText is not null) SetMessageBody(message.Request, messageText);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Update message", message.Response);
        message.Response.Headers.TryGetValue("x-ms-popreceipt", out var newReceipt);
        message.Response.Headers.TryGetValue("x-ms-time-next-visible", out var nextVisible);
        return new QueueUpdateReceipt(newReceipt ?? throw new QueueStorageException(message.Response.Status, "Update message returned no pop receipt.", null),
            nextVisible is null ? DateTimeOffset.UtcNow + visibilityTimeout : ParseTime(nextVisible));
    }

    /// <summary>Delete Message with its current pop receipt.</summary>
    public virtual async Task DeleteMessageAsync(string queue, string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, queue, "/messages/" + Uri.EscapeDataString(messageId));
        message.Request.Uri.AppendQuery("popreceipt", popReceipt);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Delete message", message.Response);
    }

    /// <summary>x-ms-approximate-messages-count from Get Queue Metadata (visible and invisible messages).</summary>
    public virtual async Task<long> GetApproximateMessageCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, queue, "");
        message.Request.Uri.AppendQuery("comp", "metadata");
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Get queue metadata", message.Response);
        return message.Response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count)
            ? long.Parse(count, CultureInfo.InvariantCulture) : 0;
    }

    private HttpMessage CreateMessage(RequestMethod method, string queue, string suffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        return StoragePipeline.CreateMessage(_pipeline, _endpoint, method, Uri.EscapeDataString(queue) + suffix);
    }

    private void SetMessageBody(Request request, string messageText)
    {
        var text = Options.MessageEncoding == QueueMessageEncoding.Base64
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(messageText))
            : SecurityElement.Escape(messageText);
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Content = RequestContent.Create(Encoding.UTF8.GetBytes($"<QueueMessage><MessageText>{text}</MessageText></QueueMessage>"));
    }

    private string Decode(string wireText)
    {
        if (Options.MessageEncoding == QueueMessageEncoding.None) return wireText;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(wireText));
        }
        catch (FormatException ex)
        {
            // Put there by a writer with another encoding; the text itself is not echoed (it may hold anything).
            throw new QueueStorageException(200, "A queue message is not base64-encoded as this client is configured to expect.", "InvalidMessageEncoding", ex);
        }
    }

    private static async Task<IReadOnlyList<XElement>> ReadMessagesAsync(Response response, CancellationToken cancellationToken)
    {
        // A page holds at most 32 messages of at most 64 KiB: bounded, so a small DOM is fine here.
        var document = await XDocument.LoadAsync(response.ContentStream ?? Stream.Null, LoadOptions.None, cancellationToken).ConfigureAwait(false);
        return document.Root?.Elements("QueueMessage").ToList() ?? [];
    }

    private static string Text(XElement element, string name) =>
        element.Element(name)?.Value ?? throw new QueueStorageException(200, $"Queue response lacks <{name}>.", "InvalidResponse");

    private static DateTimeOffset Time(XElement element, string name) => ParseTime(Text(element, name));

    private static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Whole seconds, rounded up so a requested lease is never shorter than asked.</summary>
    private static string Seconds(TimeSpan value, int minimum = 0) =>
        Math.Max(minimum, (long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static void EnsureSuccess(string operation, Response response)
    {
        if (!response.IsError) return;
        throw new QueueStorageException(response.Status, StorageErrors.Describe(operation, response), StorageErrors.ErrorCode(response));
    }
}
