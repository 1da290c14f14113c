namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// A member path from the focus as the cursor form counts it (<c>exists()</c>, <c>empty()</c>, <c>hasValue()</c>, a
/// string comparison): its steps resolved once per table (<see cref="FhirPathStepCache"/>: no name lookups per step
/// and per item), and, where the focus's names were read once (<see cref="FhirPathCursor.Members"/>), its count kept
/// there for the focus's other constraints counting the same path: an Observation's root counts <c>value</c> in obs-6,
/// obs-7 and vs-2, <c>dataAbsentReason</c> in obs-6 and vs-2. The count is a pure function of the object, its table,
/// the path and the limit (<see cref="FhirPathObjectIndex.TryGetCount"/>).
/// </summary>
internal sealed class FhirPathCursorPath
{
    private readonly FhirPathModel _model;
    private readonly string[] _names;
    private readonly string[] _shadowNames;
    private readonly FhirPathStepCache[] _steps;
    private readonly string _key;
    private readonly bool _keepLast;

    /// <param name="keepLast">Whether callers read the last item counted (<c>hasValue()</c>, a string comparison); <c>exists()</c> and <c>empty()</c> do not.</param>
    public FhirPathCursorPath(FhirPathModel model, string[] names, bool keepLast)
    {
        _model = model;
        _names = names;
        _shadowNames = names.Select(n => "_" + n).ToArray();
        _steps = FhirPathStepCache.ForPath(names);
        _key = string.Intern(string.Join('.', names)); // one instance per path: the index compares it by reference first
        _keepLast = keepLast;
    }

    /// <summary>How many items the path yields from <paramref name="focus"/>, up to <paramref name="limit"/>; <paramref name="last"/>: the last one counted (default unless kept).</summary>
    public int Count(in FhirPathCursor focus, int limit, out FhirPathCursor last)
    {
        var members = focus.Members;
        if (members is { Usable: true } && focus.Table is { } table)
        {
            // The focus's names were read once (it is an object): its first step resolved here serves both the check of
            // its names and the navigation.
            var first = _steps[0].For(table);
            if (!members.MayHaveAny(first.NameBits))
            {
                // None of the names the first step reads is the focus's (an Observation's root lacks dataAbsentReason,
                // component and hasMember, which obs-6, obs-7 and vs-2 count): nothing, as navigation finds.
                last = default;
                return 0;
            }
            if (members.TryGetCount(_key, table, limit, out var cached, out last, _keepLast)) return cached;
            last = default;
            var counted = FhirPathNavigator.CountPath(_model, focus, _names, _shadowNames, limit, first, _steps, _keepLast, ref last);
            members.AddCount(_key, table, limit, counted, last, withLast: _keepLast);
            return counted;
        }
        if (members is not null && members.TryGetCount(_key, focus.Table, limit, out var count, out last, _keepLast)) return count;
        last = default;
        if (!_keepLast)
        {
            count = FhirPathNavigator.CountPath(_model, focus, _names, _shadowNames, 0, limit, _steps);
            members?.AddCount(_key, focus.Table, limit, count, default, withLast: false);
            return count;
        }
        count = FhirPathNavigator.CountPath(_model, focus, _names, _shadowNames, 0, limit, ref last, _steps);
        members?.AddCount(_key, focus.Table, limit, count, last);
        return count;
    }
}
