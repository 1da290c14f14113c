using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Validates FHIR R4 resources against US Core: compiled once from a rule source (FHIR packages or the built-in rule
/// set), then thread-safe. The profile is the one in <c>meta.profile</c> when known, else chosen by type and content
/// (<see cref="ProfileSelector"/>); types without a profile get base R4 structure checks when their definition is loaded.
/// Valid resources share <see cref="ValidationResult.Valid"/>.
/// </summary>
public sealed class UsCoreValidator : IResourceValidator
{
    public const string RuleNoSubject = "usability.subject";
    public const string RuleUnknownProfile = "profile.unknown";
    public const string RuleNotCovered = "profile.not-covered";

    private readonly UsCoreValidatorOptions _options;
    private readonly IReadOnlyDictionary<string, CompiledProfile> _compiled;
    private readonly IReadOnlyDictionary<string, CompiledProfile> _baseResources;
    private readonly ProfileSelector _selector;
    private readonly TypeProfiles[] _byTypeId;
    private readonly ResourceWalker _walker;
    // Pooled contexts, one used slot per cache line (PoolStride references apart): cores renting at once touch different lines.
    private const int PoolStride = 8;
    private readonly ValidationContext?[] _contexts = new ValidationContext?[Math.Max(4, Environment.ProcessorCount * 2) * PoolStride];

    /// <summary>Subject elements without which a clinical resource cannot be attributed to a patient.</summary>
    private static readonly Dictionary<string, string> SubjectElements = new(StringComparer.Ordinal)
    {
        ["Observation"] = "subject", ["Condition"] = "subject", ["Encounter"] = "subject", ["Procedure"] = "subject",
        ["MedicationRequest"] = "subject", ["MedicationDispense"] = "subject", ["DiagnosticReport"] = "subject",
        ["DocumentReference"] = "subject", ["CarePlan"] = "subject", ["CareTeam"] = "subject", ["Goal"] = "subject",
        ["ServiceRequest"] = "subject", ["Immunization"] = "patient", ["AllergyIntolerance"] = "patient",
        ["Claim"] = "patient", ["ExplanationOfBenefit"] = "patient", ["Coverage"] = "beneficiary",
    };

    private UsCoreValidator(DefinitionSet definitions, UsCoreValidatorOptions options, string source)
    {
        _options = options;
        Source = source;
        var compiler = new ProfileCompiler(definitions, options.ReportBestPractice);
        var roots = definitions.Profiles.Values
            .Where(p => p.Kind == "resource" && (p.IsConstraint || FhirResourceTypes.IsKnown(p.Type)))
            .Select(p => p.Url)
            .Order(StringComparer.Ordinal)
            .ToList();
        compiler.CompileAll(roots);
        _compiled = compiler.Compiled;
        _baseResources = compiler.BaseResources;
        var memberOf = compiler.MemberOfCodeSets();
        FhirPathModel = new FhirPathModel(type => _baseResources.TryGetValue(type, out var p) ? p.Root : null, url => memberOf.GetValueOrDefault(url));
        _walker = new ResourceWalker(type => _baseResources.TryGetValue(type, out var p) ? p.Root : null, new InvariantWalker(FhirPathModel));
        _selector = new ProfileSelector(_compiled, options.ProfileOverrides, options.SelectProfileByContent);
        _byTypeId = FhirResourceTypes.All
            .Select(type => new TypeProfiles(_selector.For(type), _baseResources.GetValueOrDefault(type), SubjectElements.GetValueOrDefault(type)))
            .ToArray();
        UnevaluatedConstraints = _compiled.Values
            .Where(p => p.UnevaluatedConstraints.Count > 0)
            .ToDictionary(p => p.Url, p => (IReadOnlyList<string>)p.UnevaluatedConstraints.ToArray(), StringComparer.Ordinal);
        UnresolvedBindings = _compiled.Values
            .Where(p => p.UnresolvedBindings.Count > 0)
            .ToDictionary(p => p.Url, p => (IReadOnlyList<string>)p.UnresolvedBindings.ToArray(), StringComparer.Ordinal);
        UnevaluatedSlices = _compiled.Values
            .Where(p => p.UnevaluatedSlices.Count > 0)
            .ToDictionary(p => p.Url, p => (IReadOnlyList<string>)p.UnevaluatedSlices.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The element tables and value sets FHIRPath expressions are evaluated with.</summary>
    internal FhirPathModel FhirPathModel { get; }

    /// <summary>"built-in", or the packages ("hl7.fhir.us.core@6.1.0") the rules were compiled from.</summary>
    public string Source { get; }

    /// <summary>Canonical URLs of the compiled resource profiles (and base definitions).</summary>
    public IReadOnlyCollection<string> Profiles => _compiled.Keys.ToArray();

    /// <summary>Profile → constraints this validator does not evaluate, as "element key: reason" (all others are evaluated).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> UnevaluatedConstraints { get; }

    /// <summary>Profile → "element (strength): value set" bindings whose codes could not be enumerated (not enforced).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> UnresolvedBindings { get; }

    /// <summary>Profile → slices whose discriminator this validator cannot evaluate (their cardinality is not enforced).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> UnevaluatedSlices { get; }

    public bool HasProfile(string canonical) => _compiled.ContainsKey(DefinitionSet.StripVersion(canonical));

    /// <summary>The built-in US Core 6.1.0 rule set, embedded in this assembly: no files needed.</summary>
    public static UsCoreValidator CreateBuiltIn(UsCoreValidatorOptions? options = null) =>
        new(BuiltInRuleSet.Load(), options ?? new UsCoreValidatorOptions(), "built-in");

    /// <summary>
    /// Compiles from FHIR packages (.tgz), definition Bundles/resources (.json) and folders of JSON resources (value sets,
    /// code systems, expansions). Base types and R4 core value sets missing from them are taken from the built-in rule set.
    /// </summary>
    public static async Task<UsCoreValidator> FromPackagesAsync(IEnumerable<string> packageTgzPaths, UsCoreValidatorOptions? options = null, CancellationToken ct = default)
    {
        var paths = packageTgzPaths.ToList();
        if (paths.Count == 0) throw new ArgumentException("At least one package path is required.", nameof(packageTgzPaths));
        using var reader = new FhirPackageReader();
        foreach (var path in paths) await reader.AddAsync(path, ct).ConfigureAwait(false);
        var builtIn = BuiltInRuleSet.Load();
        foreach (var profile in builtIn.Profiles.Values)
        {
            if (!reader.Definitions.Profiles.ContainsKey(profile.Url) && !profile.Url.StartsWith("http://hl7.org/fhir/us/core/", StringComparison.Ordinal))
                reader.Definitions.AddProfile(profile);
        }
        // A US Core package alone does not carry the R4 core value sets its bindings name (administrative-gender...):
        // the built-in code lists fill in whatever the given sources do not define, so no binding goes unchecked.
        foreach (var list in builtIn.CodeLists.Values)
        {
            if (!list.ValueSetUrl.StartsWith("http://hl7.org/fhir/us/core/", StringComparison.Ordinal) && !reader.Definitions.HasValueSet(list.ValueSetUrl))
                reader.Definitions.AddCodeList(list);
        }
        // Compiled tables keep no reference to the documents, so the reader can be disposed afterwards.
        var source = reader.PackageIds.Count > 0 ? string.Join(", ", reader.PackageIds) : string.Join(", ", paths.Select(Path.GetFileName));
        return new UsCoreValidator(reader.Definitions, options ?? new UsCoreValidatorOptions(), source);
    }

    /// <summary>The configured rule source: <see cref="UsCoreValidatorOptions.Packages"/> when set, else the built-in rules.</summary>
    public static Task<UsCoreValidator> CreateAsync(UsCoreValidatorOptions options, CancellationToken ct = default) =>
        options.Packages.Count > 0 ? FromPackagesAsync(options.Packages, options, ct) : Task.FromResult(CreateBuiltIn(options));

    public ValidationResult Validate(ResourceElement resource) => Validate(resource, out _);

    /// <summary>
    /// As <see cref="Validate(ResourceElement)"/>, and whether the walk ruled out duplicate keys anywhere in the resource
    /// (it compares the names of every object it reads; see <see cref="ResourceParserOptions.DeferDuplicateKeys"/>).
    /// False says only that it could not: the caller then checks the bytes itself.
    /// </summary>
    public ValidationResult Validate(ResourceElement resource, out bool noDuplicateKeys)
    {
        noDuplicateKeys = false;
        if (resource.ValueKind != JsonValueKind.Object)
            return Fatal(ResourceParser.RuleNotAnObject, "structure", "A resource must be a JSON object.");
        var context = RentContext();
        // The root's names are read once, resourceType among them (the document's own lookup scans the root from its
        // end, and resourceType comes first).
        context.RootMembers.Build(resource);
        if (!RootProperty(resource, "resourceType", context, out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            return Fatal(ResourceParser.RuleResourceTypeMissing, "required", "The resource has no resourceType string.", context);
        if (!FhirResourceTypes.TryGet(typeElement, out var resourceType, out var typeId))
            return Fatal(ResourceParser.RuleResourceTypeUnknown, "not-supported", "The resourceType is not a FHIR R4 resource type.", context);

        try
        {
            var result = Validate(resource, resourceType, _byTypeId[typeId], context);
            noDuplicateKeys = context.RootWalks > 0 && context.DuplicateKeyDoubts == 0;
            return result;
        }
        catch (InvalidOperationException) when (StrictJsonFindings(resource) is { } strict)
        {
            // A string System.Text.Json cannot read (an unpaired surrogate escape, when the caller parsed without
            // ResourceParser): the strict scan of the same bytes locates it; the resource is unusable, the run goes on.
            return strict;
        }
        finally
        {
            context.RootMembers.Clear(); // the pooled context keeps no document reachable
            ReturnContext(context);
        }
    }

    /// <summary>The fatal findings of the strict JSON scan of a resource's bytes; null when it finds none.</summary>
    private static ValidationResult? StrictJsonFindings(ResourceElement resource)
    {
        var parsed = ResourceParser.Parse(resource.RawUtf8.ToArray());
        parsed.Document?.Dispose();
        return parsed.Error is { Severity: IssueSeverity.Fatal } error ? new ValidationResult(false, [error]) : null;
    }

    private ValidationResult Validate(ResourceElement resource, string resourceType, TypeProfiles type, ValidationContext context)
    {
        context.Push(resourceType);
        var validated = ValidateDeclaredProfiles(resource, resourceType, context);
        if (!validated)
        {
            var profile = ProfileSelector.Select(type.Selection, resource, context.RootMembers) ?? type.BaseProfile;
            if (profile is not null)
            {
                context.Profile = profile.Url;
                _walker.Validate(resource, resourceType, profile.Root, context);
            }
            else
            {
                // Never "checked, 0 errors" for a type no rule covers (built-in rules carry US Core types only).
                context.Add(IssueSeverity.Warning, "not-supported", RuleNotCovered, "No rules for this resource type are loaded: only its JSON form and resourceType were checked.");
            }
        }

        if (_options.RequireSubject && type.SubjectElement is { } subject && !RootProperty(resource, subject, context, out _))
        {
            context.Profile = null;
            context.Add(IssueSeverity.Fatal, "required", RuleNoSubject, "The resource has no subject/patient reference: it cannot be attributed to a patient.", subject);
        }
        context.Pop();

        if (context.Issues is not { } issues) return ValidationResult.Valid;
        var usable = !context.HasFatal;
        if (usable && _options.Mode == ValidationMode.Strict)
        {
            foreach (var issue in issues)
            {
                if (issue.Severity == IssueSeverity.Error) usable = false;
            }
        }
        return new ValidationResult(usable, issues);
    }

    /// <summary>Validates against each known profile in meta.profile; false when none is known.</summary>
    private bool ValidateDeclaredProfiles(ResourceElement resource, string resourceType, ValidationContext context)
    {
        if (!RootProperty(resource, "meta", context, out var meta) || meta.ValueKind != JsonValueKind.Object
            || !meta.TryGetProperty("profile"u8, out var declared) || declared.ValueKind != JsonValueKind.Array) return false;
        var validated = 0;
        var unknown = 0;
        foreach (var item in declared.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) continue;
            var url = DefinitionSet.StripVersion(item.GetString()!);
            if (!_compiled.TryGetValue(url, out var profile) || profile.Type != resourceType)
            {
                unknown++;
                continue;
            }
            context.Profile = profile.Url;
            // A second profile re-walks the resource: base-structure issues would repeat, so they are dropped below.
            var before = context.Issues?.Count ?? 0;
            _walker.Validate(resource, resourceType, profile.Root, context);
            if (validated > 0 && context.Issues is { } issues) RemoveRepeats(issues, before);
            validated++;
        }
        if (unknown > 0)
        {
            context.Profile = null;
            context.Add(IssueSeverity.Information, "not-supported", RuleUnknownProfile,
                validated > 0 ? "Some declared profiles are not loaded; they were not checked." : "No declared profile is loaded; the resource was checked against the default profile for its type.", "meta.profile");
        }
        return validated > 0;
    }

    /// <summary>Lookups and hits of the clean-subtree memos of the contexts now in the pool (the benchmark's hit rate).</summary>
    internal (long Lookups, long Hits) SubtreeMemoStatistics()
    {
        long lookups = 0, hits = 0;
        for (var i = 0; i < _contexts.Length; i++)
        {
            if (Volatile.Read(ref _contexts[i]) is not { Memo: { } memo }) continue;
            lookups += memo.Lookups;
            hits += memo.Hits;
        }
        return (lookups, hits);
    }

    /// <summary>Drops the pooled contexts, and so what their memos hold: the benchmark measures each pass as a first meeting.</summary>
    internal void ForgetCleanSubtrees()
    {
        for (var i = 0; i < _contexts.Length; i++) Volatile.Write(ref _contexts[i], null);
    }

    // Walk state is reused across resources (a lock-free pool per validator) so a valid resource allocates nothing.
    /// <summary>A property of the resource's root, from the names read once when they could be (else the JSON).</summary>
    private static bool RootProperty(ResourceElement resource, string name, ValidationContext context, out ResourceElement value) =>
        context.RootMembers.Usable ? context.RootMembers.TryGet(name, out value) : resource.TryGetProperty(name, out value);

    // Each processor starts its search at its own slot: a core gets back the context it returned (its frames and its
    // clean-subtree memo still in that core's cache) and two cores do not exchange the same slot's cache line per
    // resource. Searching from slot 0 handed the contexts back and forth between the cores.
    private ValidationContext RentContext()
    {
        var start = PoolSlot();
        for (var n = 0; n < _contexts.Length; n += PoolStride)
        {
            var i = start + n < _contexts.Length ? start + n : start + n - _contexts.Length;
            if (Interlocked.Exchange(ref _contexts[i], null) is { } context)
            {
                context.Reset();
                return context;
            }
        }
        return new ValidationContext(null, _options.ReportMustSupport, _options.RememberCleanSubtrees);
    }

    private void ReturnContext(ValidationContext context)
    {
        var start = PoolSlot();
        for (var n = 0; n < _contexts.Length; n += PoolStride)
        {
            var i = start + n < _contexts.Length ? start + n : start + n - _contexts.Length;
            if (Interlocked.CompareExchange(ref _contexts[i], context, null) is null) return;
        }
    }

    /// <summary>The pool slot the current processor looks at first.</summary>
    private int PoolSlot() => (int)((uint)Thread.GetCurrentProcessorId() % (uint)(_contexts.Length / PoolStride)) * PoolStride;

    private static void RemoveRepeats(List<ValidationIssue> issues, int from)
    {
        for (var i = issues.Count - 1; i >= from; i--)
        {
            var issue = issues[i];
            for (var j = 0; j < from; j++)
            {
                if (issues[j].RuleId == issue.RuleId && issues[j].Location == issue.Location)
                {
                    issues.RemoveAt(i);
                    break;
                }
            }
        }
    }

    /// <summary>
    /// What the validator knows of a resource type, by the type's id (<see cref="FhirResourceTypes"/>): one array read per
    /// resource instead of a dictionary lookup by the type's name for each (selection rules, base profile, subject).
    /// </summary>
    private sealed record TypeProfiles(ProfileSelector.TypeRules? Selection, CompiledProfile? BaseProfile, string? SubjectElement);

    private static ValidationResult Fatal(string ruleId, string code, string message) =>
        new(false, [new ValidationIssue(IssueSeverity.Fatal, code, "$", message, null, ruleId)]);

    /// <summary>As <see cref="Fatal(string, string, string)"/>, giving back the context rented for the resource.</summary>
    private ValidationResult Fatal(string ruleId, string code, string message, ValidationContext context)
    {
        context.RootMembers.Clear();
        ReturnContext(context);
        return Fatal(ruleId, code, message);
    }
}
