using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.ServiceBus;

/// <summary>
/// Sends to a Service Bus queue or topic through the REST API (no AMQP client can be restored here):
/// <c>POST https://{namespace}/{entity}/messages</c> with the broker properties in the <c>BrokerProperties</c>
/// header (JSON), custom properties as headers, the body as the HTTP body; batches as
/// <c>application/vnd.microsoft.servicebus.json</c>. Failures throw <see cref="ServiceBusException"/>.
/// </summary>
public class ServiceBusSenderClient
{
    public const string BatchContentType = "application/vnd.microsoft.servicebus.json";
    /// <summary>Service Bus's limit on a MessageId's length.</summary>
    public const int MaxMessageIdLength = 128;

    private readonly HttpPipeline _pipeline;
    private readonly Uri _messagesUri;

    /// <param name="namespaceEndpoint">e.g. https://my-namespace.servicebus.windows.net/</param>
    /// <param name="entityPath">Queue or topic name.</param>
    public ServiceBusSenderClient(Uri namespaceEndpoint, string entityPath, ServiceBusCredential credential, ServiceBusSenderClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(namespaceEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(entityPath);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new ServiceBusSenderClientOptions();
        EntityPath = entityPath.Trim('/');
        var root = namespaceEndpoint.AbsoluteUri.TrimEnd('/');
        _messagesUri = new Uri($"{root}/{EntityPath}/messages");
        _pipeline = HttpPipelineBuilder.Build(options, perCallPolicies: [], perRetryPolicies: [credential.CreatePolicy(options)], responseClassifier: new ResponseClassifier());
    }

    public string EntityPath { get; }

    /// <summary>Sends one message (201 Created).</summary>
    public virtual async Task SendAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
    {
        using var http = _pipeline.CreateMessage();
        var request = http.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_messagesUri);
        request.Headers.SetValue("BrokerProperties", BrokerPropertiesJson(message));
        if (message.ContentType is not null) request.Headers.SetValue("Content-Type", message.ContentType);
        foreach (var (name, value) in message.ApplicationProperties) request.Headers.SetValue(name, PropertyHeaderValue(value));
        request.Content = RequestContent.Create(message.Body);
        await _pipeline.SendAsync(http, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Send", http.Response);
    }

    /// <summary>Sends several messages in one request; bodies must be UTF-8 text (the batch format carries them as JSON strings).</summary>
    public virtual async Task SendBatchAsync(IReadOnlyList<ServiceBusMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("Body", Encoding.UTF8.GetString(message.Body.Span));
                writer.WritePropertyName("BrokerProperties");
                WriteBrokerProperties(writer, message, includeContentType: true);
                writer.WriteStartObject("UserProperties");
                foreach (var (name, value) in message.ApplicationProperties) WriteProperty(writer, name, value);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        using var http = _pipeline.CreateMessage();
        http.Request.Method = RequestMethod.Post;
        http.Request.Uri.Reset(_messagesUri);
        http.Request.Headers.SetValue("Content-Type", BatchContentType);
        http.Request.Content = RequestContent.Create(new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length));
        await _pipeline.SendAsync(http, cancellationToken).ConfigureAwait(false);
        EnsureSuccess("Send batch", http.Response);
    }

    private static string BrokerPropertiesJson(ServiceBusMessage message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) WriteBrokerProperties(writer, message, includeContentType: false);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteBrokerProperties(Utf8JsonWriter writer, ServiceBusMessage message, bool includeContentType)
    {
        writer.WriteStartObject();
        if (message.MessageId is { } id)
        {
            if (id.Length > MaxMessageIdLength) throw new ArgumentException($"A Service Bus MessageId has at most {MaxMessageIdLength} characters.", nameof(message));
            writer.WriteString("MessageId", id);
        }
        // "Label" is the REST API's name of the message Subject.
        if (message.Subject is not null) writer.WriteString("Label", message.Subject);
        if (message.CorrelationId is not null) writer.WriteString("CorrelationId", message.CorrelationId);
        // A single send carries the content type as the HTTP Content-Type; a batch entry carries it here.
        if (includeContentType && message.ContentType is not null) writer.WriteString("ContentType", message.ContentType);
        writer.WriteEndObject();
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case string s: writer.WriteString(name, s); break;
            case bool b: writer.WriteBoolean(name, b); break;
            case long l: writer.WriteNumber(name, l); break;
            case int i: writer.WriteNumber(name, i); break;
            case double d: writer.WriteNumber(name, d); break;
            case DateTimeOffset t: writer.WriteString(name, t.ToString("R", CultureInfo.InvariantCulture)); break;
            default: throw new ArgumentException($"Application property '{name}' has an unsupported type {value.GetType().Name}.");
        }
    }

    /// <summary>Custom property header values: strings quoted (JSON string), numbers and booleans bare.</summary>
    private static string PropertyHeaderValue(object value) => value switch
    {
        string s => JsonSerializer.Serialize(s),
        bool b => b ? "true" : "false",
        long or int or double => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        DateTimeOffset t => JsonSerializer.Serialize(t.ToString("R", CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException($"Unsupported application property type {value.GetType().Name}."),
    };

    private static void EnsureSuccess(string operation, Response response)
    {
        if (!response.IsError) return;
        // Status only: the service's error body is an XML description without a stable code header.
        throw new ServiceBusException(response.Status, $"Service Bus {operation} failed: HTTP {response.Status}.", response.Status.ToString(CultureInfo.InvariantCulture));
    }
}
