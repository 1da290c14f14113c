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

    /// <summary>
    /// As <see cref="Add(IssueSeverity, string, string, string, string?)"/>, for a finding an element raises the same way
    /// in resource after resource (a must-support element absent, a required one missing, a code outside its binding):
    /// <paramref name="last"/> is the issue raised last there (on any thread: issues are immutable). When it is the same
    /// finding at the same location, it is listed again: no location string is built and nothing is allocated. Synthea
    /// raises ~1.7 issues a resource, nearly all repeats at the same one-step location ("Observation.specimen").
    /// </summary>
    public void Add(ref ValidationIssue? last, IssueSeverity severity, string code, string ruleId, string message, string? child = null)
    {
        if (severity == IssueSeverity.Fatal) HasFatal = true;
        var issue = last;
        if (issue is null || issue.Severity != severity || !string.Equals(issue.RuleId, ruleId, StringComparison.Ordinal)
            || !string.Equals(issue.Code, code, StringComparison.Ordinal) || !string.Equals(issue.Message, message, StringComparison.Ordinal)
            || !string.Equals(issue.Profile, Profile, StringComparison.Ordinal) || !IsLocation(issue.Location, child))
        {
            issue = new ValidationIssue(severity, code, Location(child), message, Profile, ruleId);
            last = issue;
        }
        (Issues ??= []).Add(issue);
    }

    /// <summary>Whether <paramref name="location"/> is what <see cref="Location"/> would build now, compared piece by piece.</summary>
    private bool IsLocation(string location, string? child)
    {
        var rest = location.AsSpan();
        for (var i = 0; i < _depth; i++)
        {
            if (i > 0 && !Skip(ref rest, "."))
                return false;
            if (!Skip(ref rest, _names[i]))
                return false;
            if (_indexes[i] >= 0 && !SkipIndex(ref rest, _indexes[i]))
                return false;
        }
        if (child is not null && !(Skip(ref rest, ".") && Skip(ref rest, child)))
            return false;
        return rest.IsEmpty;
    }

    private static bool Skip(ref ReadOnlySpan<char> rest, string text)
    {
        if (!rest.StartsWith(text, StringComparison.Ordinal)) return false;
        rest = rest[text.Length..];
        return true;
    }

    private static bool SkipIndex(ref ReadOnlySpan<char> rest, int index)
    {
        Span<char> digits = stackalloc char[16];
        if (!index.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture)) return false;
        if (rest.Length < written + 2 || rest[0] != '[' || !rest.Slice(1, written).SequenceEqual(digits[..written]) || rest[written + 1] != ']') return false;
        rest = rest[(written + 2)..];
        return true;
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
