using System.Runtime.CompilerServices;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// The resolutions of one compiled member step for the tables it meets, found by the table's identity hash: a data
/// type's constraint (ext-1's <c>value</c>, qty-3's <c>code</c>) meets one table per profiled variant of the type, dozens
/// for Extension, so a short list scanned in order missed and resolved (and allocated) on most calls. Shared by every
/// thread evaluating the compiled expression: an open-addressed array replaced whole when it grows, its slots written
/// once (a reader sees a slot empty or filled); past <see cref="MaxCapacity"/> tables a step is resolved each time.
/// </summary>
internal sealed class FhirPathStepCache(string name)
{
    private const int MaxCapacity = 256;
    private readonly Lock _gate = new();
    private FhirPathStep?[] _steps = new FhirPathStep?[8];
    private int _count;

    public string Name { get; } = name;

    public FhirPathStep For(ChildTable table)
    {
        var steps = _steps;
        var mask = steps.Length - 1;
        var slot = RuntimeHelpers.GetHashCode(table) & mask;
        while (steps[slot] is { } step)
        {
            if (ReferenceEquals(step.Table, table)) return step;
            slot = (slot + 1) & mask;
        }
        var resolved = FhirPathStep.Resolve(table, Name);
        Add(resolved);
        return resolved;
    }

    /// <summary>Keeps a resolution (at most half the slots used; a racing writer may lose one, which is resolved again later).</summary>
    private void Add(FhirPathStep resolved)
    {
        lock (_gate)
        {
            var steps = _steps;
            if ((_count + 1) * 2 > steps.Length)
            {
                if (steps.Length == MaxCapacity) return;
                var grown = new FhirPathStep?[steps.Length * 2];
                foreach (var step in steps)
                {
                    if (step is not null) Insert(grown, step);
                }
                if (Insert(grown, resolved)) _count++;
                Volatile.Write(ref _steps, grown);
            }
            else if (Insert(steps, resolved)) _count++;
        }
    }

    private static bool Insert(FhirPathStep?[] steps, FhirPathStep step)
    {
        var mask = steps.Length - 1;
        var slot = RuntimeHelpers.GetHashCode(step.Table) & mask;
        while (steps[slot] is { } existing)
        {
            if (ReferenceEquals(existing.Table, step.Table)) return false;
            slot = (slot + 1) & mask;
        }
        Volatile.Write(ref steps[slot], step);
        return true;
    }

    /// <summary>One cache per step of a member path.</summary>
    public static FhirPathStepCache[] ForPath(string[] names) => names.Select(n => new FhirPathStepCache(n)).ToArray();
}
