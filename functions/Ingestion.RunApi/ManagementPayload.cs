namespace Ingestion.RunApi;

/// <summary>
/// The Durable Functions HTTP management payload of a run (same member names as <c>CreateCheckStatusResponse</c>), plus
/// the retry of its failed files. <see cref="SendEventPostUri"/> keeps the literal <c>{eventName}</c> placeholder.
/// </summary>
public sealed record ManagementPayload(
    string Id,
    Uri StatusQueryGetUri,
    string SendEventPostUri,
    Uri TerminatePostUri,
    Uri PurgeHistoryDeleteUri,
    Uri RestartPostUri,
    Uri RetryFailedPostUri);
