using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.Storage;

/// <summary>Builds the Azure.Core pipeline of a storage client: x-ms-version per call, auth per retry (the signature covers x-ms-date).</summary>
internal static class StoragePipeline
{
    public static HttpPipeline Build(StorageClientOptions options, StorageCredential credential) =>
        HttpPipelineBuilder.Build(
            options,
            perCallPolicies: [new AddHeaderPolicy("x-ms-version", options.ServiceVersion)],
            perRetryPolicies: [credential.CreatePolicy()],
            responseClassifier: new ResponseClassifier());

    /// <summary>The service endpoint with a trailing '/', so relative paths append under the account.</summary>
    public static Uri DirectoryUri(Uri endpoint) =>
        endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");

    /// <summary>A request to <paramref name="escapedPath"/> (already URL-escaped) under the account endpoint.</summary>
    public static HttpMessage CreateMessage(HttpPipeline pipeline, Uri endpoint, RequestMethod method, string escapedPath)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(endpoint);
        message.Request.Uri.AppendPath(escapedPath, escape: false);
        return message;
    }

    /// <summary>Sets one header on every request.</summary>
    private sealed class AddHeaderPolicy(string name, string value) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue(name, value);
    }
}
