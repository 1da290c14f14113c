using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.Storage;

/// <summary>Appends a shared access signature token to every request's query (account or service SAS).</summary>
public sealed class SasAuthenticationPolicy(AzureSasCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var token = credential.Signature.TrimStart('?');
        var query = message.Request.Uri.Query;
        // A retry reuses the same request: append the token only once.
        if (query.Contains(token, StringComparison.Ordinal)) return;
        message.Request.Uri.Query = string.IsNullOrEmpty(query) || query == "?" ? "?" + token : query + "&" + token;
    }
}
