using System.Globalization;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Per-resource walk state: the current location (names and indexes, turned into a string only when an issue is
/// raised) and the issues found so far (allocated on the first one). The one walk checks structure and constraints
/// together; constraint issues wait in a reused list until the walk ends, so every structure issue comes first, as
/// the result has always listed them.
/// </summary>
internal sealed class ValidationContext
{
    private string[] _names = new string[16];
    private int[] _indexes = new int[16];
    private int _depth;
    private char[] _location = new char[128];

    public ValidationContext(string? profile, bool reportMustSupport, bool rememberCleanSubtrees = false)
    {
        Profile = profile;
        ReportMustSupport = reportMustSupport;
        if (rememberCleanSubtrees) Memo = new SubtreeMemo();
    }

    public string? Profile { get; set; }
    public bool ReportMustSupport { get; }
    public List<ValidationIssue>? Issues { get; private set; }

    /// <summary>Subtrees validated clean so far, kept across the resources this pooled context validates; null when off.</summary>
    public SubtreeMemo? Memo { get; }
    public bool HasFatal { get; private set; }
    private readonly List<ValidationIssue> _invariantIssues = [];

    /// <summary>Issues raised so far in this walk, structure and constraint ones (the memo remembers an object only when its walk added none).</summary>
    public int IssueCount => (Issues?.Count ?? 0) + _invariantIssues.Count;

    /// <summary>
    /// Objects of this resource whose names the walks did not compare (not enumerated, or a name they cannot compare
    /// exactly), plus any two equal names met: while 0 after a walk, the resource has no duplicate key (the memo's clean
    /// subtrees were compared when first met, see <see cref="ResourceWalker"/>).
    /// </summary>
    public int DuplicateKeyDoubts { get; set; }

    /// <summary>Walks of this resource's root (one per profile checked): no walk, nothing was compared.</summary>
    public int RootWalks { get; set; }

    /// <summary>The properties of the objects on the walk's path, read once per object.</summary>
    public ObjectMembers Members { get; } = new();

    /// <summary>
    /// The resource's root names, read once per resource: the validator's lookups there (<c>meta</c>, the subject) and
    /// the walk's root frame (its shape, its constraints' navigation) use them instead of scanning the root again.
    /// </summary>
    public FhirPathObjectIndex RootMembers { get; } = new();

    /// <summary>The invariant walk's reusable state (element frames, FHIRPath scope), created on the first walk.</summary>
    public InvariantWalkState? InvariantState { get; set; }

    /// <summary>Readies a pooled context for the next resource; the issue list already returned stays with its result.</summary>
    public void Reset()
    {
        Issues = null;
        _invariantIssues.Clear();
        Members.Clear();
        RootMembers.Clear();
        HasFatal = false;
        DuplicateKeyDoubts = 0;
        RootWalks = 0;
        Profile = null;
        _depth = 0;
    }

    public void Push(string name, int index = -1)
    {
        if (_depth == _names.Length)
        {
            Array.Resize(ref _names, _depth * 2);
            Array.Resize(ref _indexes, _depth * 2);
        }
        _names[_depth] = name;
        _indexes[_depth] = index;
        _depth++;
    }

    public void SetIndex(int index) => _indexes[_depth - 1] = index;

    public void Pop() => _depth--;

    /// <summary>The current location as "A.b[2].c" (plus <paramref name="child"/>): built in a reused buffer, one string.</summary>
    public string Location(string? child = null)
    {
        var length = 0;
        for (var i = 0; i < _depth; i++)
        {
            if (i > 0) Append(".", ref length);
            Append(_names[i], ref length);
            if (_indexes[i] >= 0)
            {
                Append("[", ref length);
                int written;
                while (!_indexes[i].TryFormat(_location.AsSpan(length), out written, default, CultureInfo.InvariantCulture))
                    Array.Resize(ref _location, _location.Length * 2);
                length += written;
                Append("]", ref length);
            }
        }
        if (child is not null)
        {
            Append(".", ref length);
            Append(child, ref length);
        }
        return new string(_location, 0, length);
    }

    private void Append(string text, ref int length)
    {
        if (length + text.Length > _location.Length) Array.Resize(ref _location, Math.Max(_location.Length * 2, length + text.Length));
        text.CopyTo(_location.AsSpan(length));
        length += text.Length;
    }

    public void Add(IssueSeverity severity, string code, string ruleId, string message, string? child = null)
    {
        if (severity == IssueSeverity.Fatal) HasFatal = true;
        (Issues ??= []).Add(new ValidationIssue(severity, code, Location(child), message, Profile, ruleId));
    }

    /// <summary>A failed (or unevaluable) constraint at the current location, listed after the walk's structure issues.</summary>
    public void AddInvariant(IssueSeverity severity, string ruleId, string message)
    {
        if (severity == IssueSeverity.Fatal) HasFatal = true;
        _invariantIssues.Add(new ValidationIssue(severity, "invariant", Location(), message, Profile, ruleId));
    }

    /// <summary>Ends a walk: its constraint issues follow its structure issues.</summary>
    public void AppendInvariantIssues()
    {
        if (_invariantIssues.Count == 0) return;
        (Issues ??= []).AddRange(_invariantIssues);
        _invariantIssues.Clear();
    }
}
