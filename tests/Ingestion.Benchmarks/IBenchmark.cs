namespace Ingestion.Benchmarks;

/// <summary>One benchmark, discovered by name. Returns the process exit code.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
