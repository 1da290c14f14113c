namespace Ingestion.Fhir.Validation;

/// <summary>
/// Run-report counters: resources per type (checked, with errors, unusable) and, per (type, profile, rule), how many
/// resources raised the rule. Holds rule ids and messages only, never values. Thread-safe; merge per-activity counters.
/// </summary>
public sealed class ValidationCounters
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TypeCount> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<RuleKey, RuleTally> _rules = new();
    private readonly HashSet<RuleKey> _seen = []; // per-Record scratch, used under _gate

    private readonly record struct RuleKey(string ResourceType, string? Profile, string RuleId, IssueSeverity Severity);

    private sealed class TypeCount
    {
        public long Checked, WithErrors, Unusable;
    }

    private sealed class RuleTally
    {
        public required string Code;
        public required string Message;
        public required string Location;
        public long Resources, Occurrences;
    }

    /// <summary>One rule's tally: <see cref="Resources"/> distinct resources raised it, <see cref="Occurrences"/> times in all.</summary>
    public sealed record RuleCount(string ResourceType, string? Profile, string RuleId, IssueSeverity Severity, string Code, string Message, string ExampleLocation, long Resources, long Occurrences);

    public sealed record TypeTotals(string ResourceType, long Checked, long WithErrors, long Unusable);

    public void Record(string resourceType, ValidationResult result)
    {
        lock (_gate)
        {
            var type = TypeOf(resourceType);
            type.Checked++;
            if (result.Issues.Count == 0) return;
            if (result.HasErrors) type.WithErrors++;
            if (!result.Usable) type.Unusable++;
            _seen.Clear();
            foreach (var issue in result.Issues)
            {
                var key = new RuleKey(resourceType, issue.Profile, issue.RuleId, issue.Severity);
                if (!_rules.TryGetValue(key, out var tally))
                    _rules[key] = tally = new RuleTally { Code = issue.Code, Message = issue.Message, Location = issue.Location };
                tally.Occurrences++;
                if (_seen.Add(key)) tally.Resources++;
            }
        }
    }

    public void Merge(ValidationCounters other)
    {
        if (ReferenceEquals(other, this)) throw new ArgumentException("Cannot merge counters into themselves.", nameof(other));
        var (types, rules) = other.Snapshot();
        lock (_gate)
        {
            foreach (var t in types)
            {
                var type = TypeOf(t.ResourceType);
                type.Checked += t.Checked;
                type.WithErrors += t.WithErrors;
                type.Unusable += t.Unusable;
            }
            foreach (var r in rules)
            {
                var key = new RuleKey(r.ResourceType, r.Profile, r.RuleId, r.Severity);
                if (!_rules.TryGetValue(key, out var tally))
                    _rules[key] = tally = new RuleTally { Code = r.Code, Message = r.Message, Location = r.ExampleLocation };
                tally.Resources += r.Resources;
                tally.Occurrences += r.Occurrences;
            }
        }
    }

    public IReadOnlyList<TypeTotals> Types => Snapshot().Types;

    /// <summary>Rules by resource type, then most resources first.</summary>
    public IReadOnlyList<RuleCount> Rules => Snapshot().Rules;

    private (List<TypeTotals> Types, List<RuleCount> Rules) Snapshot()
    {
        lock (_gate)
        {
            var types = _types.Select(t => new TypeTotals(t.Key, t.Value.Checked, t.Value.WithErrors, t.Value.Unusable))
                .OrderBy(t => t.ResourceType, StringComparer.Ordinal).ToList();
            var rules = _rules.Select(r => new RuleCount(r.Key.ResourceType, r.Key.Profile, r.Key.RuleId, r.Key.Severity, r.Value.Code, r.Value.Message, r.Value.Location, r.Value.Resources, r.Value.Occurrences))
                .OrderBy(r => r.ResourceType, StringComparer.Ordinal).ThenBy(r => r.Severity).ThenByDescending(r => r.Resources).ThenBy(r => r.RuleId, StringComparer.Ordinal).ToList();
            return (types, rules);
        }
    }

    /// <summary>Plain-text run report: "Condition: 639 of 639 fail us-core-condition-problems-health-concerns: ...".</summary>
    public string ToReport(IssueSeverity minimum = IssueSeverity.Error)
    {
        var (types, rules) = Snapshot();
        var checkedByType = types.ToDictionary(t => t.ResourceType, t => t.Checked, StringComparer.Ordinal);
        var builder = new System.Text.StringBuilder();
        foreach (var t in types)
            builder.Append(t.ResourceType).Append(": ").Append(t.Checked).Append(" checked, ").Append(t.WithErrors).Append(" with errors, ").Append(t.Unusable).AppendLine(" unusable");
        foreach (var r in rules.Where(r => r.Severity <= minimum))
        {
            var profile = r.Profile is null ? "(usability)" : r.Profile[(r.Profile.LastIndexOf('/') + 1)..];
            var verb = r.Severity switch { IssueSeverity.Fatal => "unusable", IssueSeverity.Error => "fail", IssueSeverity.Warning => "warn", _ => "note" };
            builder.Append(r.ResourceType).Append(": ").Append(r.Resources).Append(" of ").Append(checkedByType.GetValueOrDefault(r.ResourceType))
                .Append(' ').Append(verb).Append(' ').Append(profile).Append(": ").Append(r.RuleId).Append(" — ").AppendLine(r.Message);
        }
        return builder.ToString();
    }

    private TypeCount TypeOf(string resourceType)
    {
        if (!_types.TryGetValue(resourceType, out var type)) _types[resourceType] = type = new TypeCount();
        return type;
    }
}
