namespace Ingestion.Omop;

/// <summary>A reader of a resource's members that also keeps its <see cref="ResourceHeader"/>: the resource is read
/// in one pass for the checks every resource goes through and for its mapping.</summary>
internal interface IResourceMembers : IMemberReader
{
    ResourceHeader Header { get; }
}
