using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// The elements every resource is checked by before it maps (resourceType, id, and the status elements of
/// <see cref="ResourceStatusRules"/>), read in one pass over the resource's members. Values are as found (any kind).
/// </summary>
internal struct ResourceHeader : IResourceMembers
{
    public JsonElement ResourceType;
    public JsonElement Id;
    public JsonElement Status;
    public JsonElement Intent;
    public JsonElement VerificationStatus;

    readonly ResourceHeader IResourceMembers.Header => this;

    public bool Read(ReadOnlySpan<byte> name, JsonElement value)
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
