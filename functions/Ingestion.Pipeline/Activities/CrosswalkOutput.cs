using Ingestion.Omop;
using Ingestion.Privacy;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Where the optional re-identification crosswalk goes (Deid:CrosswalkLocation): a store apart from the lake and the
/// quarantine, and how to build a file's mapper around a recording de-identifier. Off (null) by default.
/// </summary>
public sealed record CrosswalkOutput(ILake Store, IDeidentifier Deidentifier, Func<IDeidentifier, OmopMapper> MapperFor)
{
    /// <summary>One CSV per file activity, replaced when the activity re-runs.</summary>
    public static string PathOf(string runId, int fileIndex) => $"{runId}/crosswalk-{fileIndex:D5}.csv";
}
