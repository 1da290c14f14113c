namespace Ingestion.Storage.Embedded;

/// <summary>The embedded event sink, bound from the <c>Events</c> section (<c>Events__FilePath</c>).</summary>
public sealed class FileRunEventPublisherOptions
{
    public const string SectionName = "Events";

    /// <summary>Append every run event as one JSON line to this file; unset = events go to the log only.</summary>
    public string? FilePath { get; set; }
}
