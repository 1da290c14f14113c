using Microsoft.Extensions.Logging;

namespace Ingestion.RunApi;

/// <summary>
/// The alert events, with fixed event ids an Azure Monitor log alert can query (Application Insights <c>traces</c>,
/// <c>customDimensions.EventId</c>). Values are codes and ids; the detail is the evaluator's sentence of ids, times
/// and counts.
/// </summary>
public static partial class RunAlertLog
{
    public const int AlertFiredEventId = 1701;
    public const int AlertEndedEventId = 1702;

    [LoggerMessage(EventId = AlertFiredEventId, EventName = "AlertFired", Level = LogLevel.Warning,
        Message = "Alert {AlertKind} fired for source {SourceId}, run {RunId}: {AlertDetail}")]
    public static partial void AlertFired(ILogger logger, string alertKind, string sourceId, string runId, string alertDetail);

    [LoggerMessage(EventId = AlertEndedEventId, EventName = "AlertEnded", Level = LogLevel.Information,
        Message = "Alert {AlertKind} ended for source {SourceId}, run {RunId}.")]
    public static partial void AlertEnded(ILogger logger, string alertKind, string sourceId, string runId);
}
