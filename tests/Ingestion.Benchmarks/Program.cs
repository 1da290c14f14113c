using System.Reflection;
using Ingestion.Benchmarks;

// Benchmarks (not timed tests): `dotnet run -c Release --project tests/Ingestion.Benchmarks -- <name> [args]`.
// Each benchmark is a class implementing IBenchmark in its own file; it prints medians and ratios measured
// side by side in one run, and the machine it ran on.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || benchmarks.All(b => b.Name != args[0]))
{
    Console.Error.WriteLine("usage: Ingestion.Benchmarks <name> [args]");
    foreach (var b in benchmarks) Console.Error.WriteLine($"  {b.Name,-20} {b.Description}");
    return 2;
}

var benchmark = benchmarks.First(b => b.Name == args[0]);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
return await benchmark.RunAsync(args[1..], CancellationToken.None);
