using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// The elements every resource is checked by before it maps (resourceType, id, and the status elements of
/// <see cref="ResourceStatusRules"/>), read in one pass over the resource's members. Values are as found (any kind).
/// </summary>
internal struct ResourceHeader : IResourceMembers
{
    public ResourceElement ResourceType;
    public ResourceElement Id;
    public ResourceElement Status;
    public ResourceElement Intent;
    public ResourceElement VerificationStatus;

    readonly ResourceHeader IResourceMembers.Header => this;

    /// <summary>A resource's <c>resourceType</c> as found (any kind; undefined when absent), as a full read gives it.
    /// Usually only the first member is read: when it is resourceType and the resource's text names resourceType
    /// nowhere else (no other member or nested one could hold it, escaped or not), it is the only one.</summary>
    public static ResourceElement ResourceTypeOf(ResourceElement resource)
    {
        if (resource.ValueKind != JsonValueKind.Object) return default;
        var members = resource.EnumerateObject();
        if (members.MoveNext() && members.Current.Utf8Name.SequenceEqual("resourceType"u8))
        {
            // Without the leading quote the search anchors on 'r' (a quote is everywhere in JSON); any other text
            // ending so only sends the resource to the full read.
            var raw = resource.RawUtf8;
            var first = raw.IndexOf("resourceType\""u8);
            if (first >= 0 && raw.LastIndexOf("resourceType\""u8) == first && !raw.Contains((byte)'\\')) return members.Current.Value;
        }
        return JsonMembers.Read<ResourceHeader>(resource).ResourceType;
    }

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        switch (name.Length)
        {
            case 2 when name.SequenceEqual("id"u8): Id = value; return true;
            case 6 when name.SequenceEqual("status"u8): Status = value; return true;
            case 6 when name.SequenceEqual("intent"u8): Intent = value; return true;
            case 12 when name.SequenceEqual("resourceType"u8): ResourceType = value; return true;
            case 18 when name.SequenceEqual("verificationStatus"u8): VerificationStatus = value; return true;
            default: return false;
        }
    }
}
