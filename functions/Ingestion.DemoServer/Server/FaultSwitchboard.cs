namespace Ingestion.DemoServer;

/// <summary>Thread-safe per-switch counters: a counted switch fires for its first N matching requests only.</summary>
internal sealed class FaultSwitchboard(DemoFaults faults)
{
    private int _throttledKickOffs, _throttledStatus, _transientKickOffs, _transientStatus, _transientFiles, _dropped, _expired, _slow;

    public DemoFaults Faults => faults;

    public bool ThrottleKickOff() => Take(ref _throttledKickOffs, faults.ThrottleKickOff);
    public bool ThrottleStatus() => Take(ref _throttledStatus, faults.ThrottleStatus);
    public bool TransientKickOff() => Take(ref _transientKickOffs, faults.TransientKickOff);
    public bool TransientStatus() => Take(ref _transientStatus, faults.TransientStatus);
    public bool TransientFile() => Take(ref _transientFiles, faults.TransientFile);
    public bool DropConnection() => Take(ref _dropped, faults.DropConnection);

    public bool ExpireFile() => faults.FilesExpiredPermanently
        ? Interlocked.Increment(ref _expired) > 0
        : Take(ref _expired, faults.ExpiredFile);

    public async Task SlowDownAsync(CancellationToken cancellationToken)
    {
        if (faults.SlowResponseDelay <= TimeSpan.Zero) return;
        Interlocked.Increment(ref _slow);
        await Task.Delay(faults.SlowResponseDelay, cancellationToken);
    }

    public DemoFaultCounts Snapshot() => new(
        Volatile.Read(ref _throttledKickOffs), Volatile.Read(ref _throttledStatus), Volatile.Read(ref _transientKickOffs),
        Volatile.Read(ref _transientStatus), Volatile.Read(ref _transientFiles), Volatile.Read(ref _dropped),
        Volatile.Read(ref _expired), Volatile.Read(ref _slow));

    private static bool Take(ref int served, int limit)
    {
        if (limit <= 0) return false;
        // Increment first so concurrent requests never both take the last slot.
        var n = Interlocked.Increment(ref served);
        if (n <= limit) return true;
        Interlocked.Decrement(ref served);
        return false;
    }
}
