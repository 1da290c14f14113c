using Microsoft.DurableTask;

namespace Ingestion.Orchestration;

/// <summary>The reason a failed activity gives (our exceptions carry codes and server text, never patient data).</summary>
internal static class FailureText
{
    public static string Of(TaskFailedException ex)
    {
        var details = ex.FailureDetails;
        while (details.InnerFailure is { } inner && details.ErrorType.EndsWith("TaskFailedException", StringComparison.Ordinal)) details = inner;
        return details.ErrorMessage;
    }
}
