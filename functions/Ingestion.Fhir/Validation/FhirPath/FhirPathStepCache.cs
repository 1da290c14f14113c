namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// The resolutions of one compiled member step for the few tables it meets (an invariant of a data type sits on a
/// handful of profiled variants). Shared by every thread evaluating the compiled expression: the array is replaced
/// whole, never changed, so a reader sees an old or a new one; past <see cref="Capacity"/> tables a step is resolved
/// each time, as before.
/// </summary>
internal sealed class FhirPathStepCache(string name)
{
    private const int Capacity = 8;
    private FhirPathStep[] _steps = [];

    public string Name { get; } = name;

    public FhirPathStep For(ChildTable table)
    {
        var steps = _steps;
        foreach (var step in steps)
        {
            if (ReferenceEquals(step.Table, table)) return step;
        }
        var resolved = FhirPathStep.Resolve(table, Name);
        if (steps.Length < Capacity) Volatile.Write(ref _steps, [.. steps, resolved]);
        return resolved;
    }

    /// <summary>One cache per step of a member path.</summary>
    public static FhirPathStepCache[] ForPath(string[] names) => names.Select(n => new FhirPathStepCache(n)).ToArray();
}
