using Ingestion.Storage.Catalog;

namespace Ingestion.RunApi;

/// <summary>The share of mapped resources whose concept is 0 (no standard concept found); null before anything was mapped.</summary>
public static class ConceptZeroRate
{
    public static double? Of(RunCounters counters) =>
        counters.ResourcesMapped == 0 ? null : counters.ResourcesUnmapped / (double)counters.ResourcesMapped;
}
