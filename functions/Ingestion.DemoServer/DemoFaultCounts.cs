namespace Ingestion.DemoServer;

/// <summary>How many times each fault switch has fired since the server started.</summary>
public sealed record DemoFaultCounts(
    int ThrottledKickOffs, int ThrottledStatusRequests, int TransientKickOffs, int TransientStatusRequests,
    int TransientFiles, int DroppedConnections, int ExpiredFiles, int SlowResponses);
