using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Compiles snapshots into <see cref="CompiledProfile"/>s once: element trees keyed by JSON name, type slots linked to
/// the compiled data types (or type profiles) they use, slices with precomputed discriminator values, bindings with
/// enumerated code sets. Not thread-safe; the result is immutable and shared.
/// </summary>
internal sealed class ProfileCompiler
{
    private const string BaseUrl = "http://hl7.org/fhir/StructureDefinition/";
    private readonly DefinitionSet _definitions;
    private readonly Dictionary<string, CompiledProfile> _compiled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledCodeSet> _codeSets = new(StringComparer.Ordinal);
    private readonly Queue<List<ElementNode>> _toLink = new();
    private readonly Dictionary<string, CompiledProfile> _baseResources = new(StringComparer.Ordinal);
    private readonly InvariantCompiler _invariants;

    public ProfileCompiler(DefinitionSet definitions, bool bestPracticeInvariants = false)
    {
        _definitions = definitions;
        // The constraints' cursor forms navigate into contained resources by their base definitions, which exist
        // once everything is compiled (nothing is evaluated before).
        _invariants = new InvariantCompiler(bestPracticeInvariants, new FhirPath.FhirPathModel(type => _baseResources.GetValueOrDefault(type)?.Root, _ => null));
    }

    public IReadOnlyDictionary<string, CompiledProfile> Compiled => _compiled;

    /// <summary>Resource type → its compiled base R4 definition (after <see cref="CompileAll"/>), for types that have one.</summary>
    public IReadOnlyDictionary<string, CompiledProfile> BaseResources => _baseResources;

    /// <summary>Value sets named by memberOf() in the compiled constraints, with their codes when enumerable.</summary>
    public IReadOnlyDictionary<string, CompiledCodeSet> MemberOfCodeSets() =>
        _invariants.MemberOfValueSets
            .Select(url => (url, codes: CodeSet(url)))
            .Where(x => x.codes is not null)
            .ToDictionary(x => DefinitionSet.StripVersion(x.url), x => x.codes!, StringComparer.Ordinal);

    /// <summary>Compiles the profiles and everything they reference (unknown URLs are skipped).</summary>
    public void CompileAll(IEnumerable<string> urls)
    {
        foreach (var url in urls) GetOrCompile(url);
        while (_toLink.Count > 0)
        {
            Link(_toLink.Dequeue());
        }
        foreach (var type in FhirResourceTypes.All)
        {
            if (_compiled.TryGetValue(BaseUrl + type, out var baseProfile)) _baseResources[type] = baseProfile;
        }
        SubtreeContexts.Assign(_compiled.Values); // the clean-subtree memo's context ids, over the linked tables
    }

    public CompiledProfile? GetOrCompile(string url)
    {
        url = DefinitionSet.StripVersion(url);
        if (_compiled.TryGetValue(url, out var existing)) return existing;
        if (!_definitions.Profiles.TryGetValue(url, out var definition)) return null;
        return Build(definition);
    }

    private CompiledProfile Build(ProfileDefinition definition)
    {
        var nodesById = new Dictionary<string, ElementNode>(StringComparer.Ordinal);
        var children = new Dictionary<ElementNode, List<ElementNode>>(ReferenceEqualityComparer.Instance);
        var all = new List<ElementNode>();
        var unresolved = new List<string>();
        ElementNode? root = null;
        var unevaluated = new List<string>();
        var slicing = new Dictionary<ElementNode, SlicingRule>(ReferenceEqualityComparer.Instance);
        var elementRules = new Dictionary<ElementNode, ElementRule>(ReferenceEqualityComparer.Instance);

        foreach (var rule in definition.Elements)
        {
            var node = new ElementNode
            {
                Name = rule.Path[(rule.Path.LastIndexOf('.') + 1)..],
                ElementId = rule.Id,
                Min = rule.Min,
                Max = rule.Max == "*" ? int.MaxValue : int.Parse(rule.Max, System.Globalization.CultureInfo.InvariantCulture),
                IsArray = rule.BaseMax != "1" && rule.BaseMax != "0",
                Fixed = rule.Fixed,
                Pattern = rule.Pattern,
                MustSupport = rule.MustSupport,
                ContentReference = rule.ContentReference,
            };
            node.Types = rule.Types.Select(t => MakeSlot(node.Name, t)).ToArray();
            // Resource.id is an id (R4 snapshots give it the FHIRPath String type, sometimes labelled string).
            if (definition.Kind == "resource" && rule.Path == definition.Type + ".id") node.Types = [MakeSlot("id", new TypeRule("id", [], []))];
            node.Binding = CompileBinding(rule, unresolved);
            if (rule.Slicing is not null) slicing[node] = rule.Slicing;
            elementRules[node] = rule;
            nodesById[rule.Id] = node;
            if (rule.SliceName is null || !rule.Id.EndsWith(":" + rule.SliceName, StringComparison.Ordinal))
                node.Invariants = _invariants.Compile(rule.Constraints, rule.Id, unevaluated);
            all.Add(node);

            if (root is null)
            {
                root = node;
                continue;
            }
            if (rule.SliceName is { } sliceName && rule.Id.EndsWith(":" + sliceName, StringComparison.Ordinal))
            {
                var slicedId = rule.Id[..^(sliceName.Length + 1)];
                if (!nodesById.TryGetValue(slicedId, out var sliced)) continue;
                // A slice's own constraints apply to the items matching it (us-core-17: NPI check digit); those repeating
                // the sliced element's are evaluated there.
                // A type slice (value[x]:valueQuantity) replaces the choice element in the table: it carries all of them.
                var isTypeSlice = sliced.IsChoice && sliceName.StartsWith(sliced.Name[..^3], StringComparison.Ordinal);
                var own = isTypeSlice ? rule.Constraints : rule.Constraints.Where(c => !elementRules[sliced].Constraints.Any(s => s.Key == c.Key)).ToArray();
                node.Invariants = _invariants.Compile(own, rule.Id, unevaluated);
                if (sliced.IsChoice && sliceName.StartsWith(sliced.Name[..^3], StringComparison.Ordinal))
                    (sliced.TypeSlices ??= new(StringComparer.Ordinal))[sliceName] = node;
                else
                    (sliced.PendingSlices ??= []).Add(node);
                continue;
            }
            var parentId = rule.Id[..rule.Id.LastIndexOf('.')];
            if (!nodesById.TryGetValue(parentId, out var parent)) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(node);
        }
        if (root is null) throw new InvalidOperationException($"Profile {definition.Url} has an empty snapshot.");

        // Content references (#Observation.referenceRange) reuse the target's types and children.
        foreach (var node in all)
        {
            if (node.ContentReference is not { } reference) continue;
            var fragment = reference[(reference.IndexOf('#') + 1)..];
            if (!nodesById.TryGetValue(fragment, out var target)) continue;
            // Same types, under this element's own name (ValueSet.compose.exclude reuses #ValueSet.compose.include).
            node.Types = target.Types
                .Select(t => new TypeSlot { Code = t.Code, JsonName = node.Name, Primitive = t.Primitive, Profile = t.Profile, TargetTypes = t.TargetTypes })
                .ToArray();
            if (children.TryGetValue(target, out var targetChildren)) children[node] = targetChildren;
            if (target.Invariants is { } targetInvariants)
                node.Invariants = [.. targetInvariants, .. (node.Invariants ?? []).Where(i => !targetInvariants.Any(t => t.Key == i.Key))];
        }

        var tables = new Dictionary<List<ElementNode>, ChildTable>(ReferenceEqualityComparer.Instance);
        ChildTable TableOf(List<ElementNode> list, string path)
        {
            if (tables.TryGetValue(list, out var table)) return table;
            table = BuildTable(path, list);
            tables[list] = table;
            return table;
        }
        foreach (var node in all)
        {
            if (children.TryGetValue(node, out var list)) node.Children = TableOf(list, node.ElementId);
        }
        var rootTable = root.Children ?? BuildTable(definition.Type, []);
        rootTable.Invariants = root.Invariants;

        var profile = new CompiledProfile
        {
            Url = definition.Url,
            Id = definition.Id,
            Type = definition.Type,
            Root = rootTable,
        };
        profile.UnevaluatedConstraints.AddRange(unevaluated);
        profile.UnresolvedBindings.AddRange(unresolved);
        _compiled[definition.Url] = profile;

        foreach (var (node, rule) in slicing) node.SlicingClosed = rule.Rules == "closed";
        foreach (var node in all)
        {
            if (node.PendingSlices is null) continue;
            var rule = slicing.GetValueOrDefault(node);
            node.Slices = node.PendingSlices.Select(slice => CompileSlice(profile, rule, slice, children)).ToArray();
            node.PendingSlices = null;
        }
        _toLink.Enqueue(all);
        return profile;
    }

    private static TypeSlot MakeSlot(string name, TypeRule type)
    {
        var jsonName = name.EndsWith("[x]", StringComparison.Ordinal)
            ? string.Concat(name.AsSpan(0, name.Length - 3), char.ToUpperInvariant(type.Code[0]).ToString(), type.Code.AsSpan(1))
            : name;
        return new TypeSlot
        {
            Code = type.Code,
            JsonName = jsonName,
            Primitive = PrimitiveKinds.FromTypeCode(type.Code),
            Profile = type.Profiles.Count > 0 ? DefinitionSet.StripVersion(type.Profiles[0]) : null,
            TargetTypes = type.TargetProfiles.Count > 0 ? type.TargetProfiles.ToArray() : null, // mapped to type names when linked
        };
    }

    private static ChildTable BuildTable(string path, List<ElementNode> nodes)
    {
        var table = new ChildTable { Path = path };
        var index = new Dictionary<ElementNode, int>(ReferenceEqualityComparer.Instance);
        foreach (var node in nodes) index[node] = index.Count;
        foreach (var node in nodes)
        {
            foreach (var typeSlice in node.TypeSlices?.Values ?? Enumerable.Empty<ElementNode>()) index[typeSlice] = index.Count;
        }
        foreach (var node in nodes)
        {
            if (node.IsChoice)
            {
                foreach (var slot in node.Types)
                {
                    var target = node.TypeSlices?.GetValueOrDefault(slot.JsonName);
                    var targetSlot = target?.Types.FirstOrDefault(t => t.Code == slot.Code);
                    if (target is not null && node.TypeSlices!.Count > 0 && targetSlot is null) continue;
                    table.ByJsonName[slot.JsonName] = new ChildEntry(target ?? node, targetSlot ?? slot, index[target ?? node], index[node]);
                }
            }
            else
            {
                var slot = node.Types.Length > 0 ? node.Types[0] : new TypeSlot { Code = "Element", JsonName = node.Name };
                table.ByJsonName[node.Name] = new ChildEntry(node, slot, index[node], index[node]);
            }
        }
        table.Elements = nodes.ToArray();
        foreach (var node in nodes)
        {
            if (node.IsChoice) table.ChoiceByName.TryAdd(node.Name[..^3], node);
        }
        table.SlotCount = index.Count;
        var required = nodes.Where(n => n.Min > 0 || (n.Slices?.Any(s => s.Node.Min > 0) ?? false)).ToList();
        foreach (var node in nodes)
        {
            if (node.TypeSlices is null) continue;
            required.AddRange(node.TypeSlices.Values.Where(t => t.Min > 0));
        }
        table.Required = required.Select(n => new TableMember(n, index[n])).ToArray();
        table.MustSupport = nodes.Where(n => n.MustSupport).Select(n => new TableMember(n, index[n])).ToArray();
        table.Choices = nodes.Where(n => n.IsChoice && n.Types.Length > 1).Select(n => new TableMember(n, index[n])).ToArray();
        table.Names = new ChildNameTable(table.ByJsonName);
        return table;
    }

    private SliceRule CompileSlice(CompiledProfile profile, SlicingRule? slicing, ElementNode slice, Dictionary<ElementNode, List<ElementNode>> children)
    {
        var discriminators = new List<SliceDiscriminator>();
        var evaluable = slicing is not null && slicing.Discriminators.Count > 0;
        foreach (var discriminator in slicing?.Discriminators ?? [])
        {
            if (discriminator.Type is not ("value" or "pattern"))
            {
                evaluable = false;
                break;
            }
            var path = discriminator.Path == "$this" ? [] : discriminator.Path.Split('.');
            var target = slice;
            foreach (var segment in path)
            {
                target = children.TryGetValue(target!, out var list) ? list.FirstOrDefault(c => c.Name == segment) : null;
                if (target is null) break;
            }
            if (target?.Fixed is { } fixedValue) discriminators.Add(new SliceDiscriminator(path, fixedValue, false, null));
            else if (target?.Pattern is { } patternValue) discriminators.Add(new SliceDiscriminator(path, patternValue, true, null));
            else if (discriminator.Path == "url" && slice.Types.FirstOrDefault()?.Profile is { } extensionUrl)
                discriminators.Add(new SliceDiscriminator(path, JsonValues.String(extensionUrl), false, null));
            else if (target?.Binding is { Required: true } binding)
                discriminators.Add(new SliceDiscriminator(path, default, false, binding.Codes)); // slicing by value set
            else
            {
                evaluable = false;
                break;
            }
        }
        if (!evaluable) profile.UnevaluatedSlices.Add(slice.ElementId);
        return new SliceRule { Name = slice.ElementId, Node = slice, Discriminators = discriminators.ToArray(), Evaluable = evaluable };
    }

    private CompiledBinding? CompileBinding(ElementRule rule, List<string> unresolved)
    {
        if (rule.Binding is not { ValueSet: { } valueSet } binding || binding.Strength is not ("required" or "extensible")) return null;
        if (rule.Types.Count > 0 && rule.Types.All(t => t.Code is not ("code" or "Coding" or "CodeableConcept" or "Quantity" or "string" or "uri"))) return null;
        var url = DefinitionSet.StripVersion(valueSet);
        if (!_codeSets.TryGetValue(url, out var codes))
        {
            var list = _definitions.ResolveCodeList(url);
            if (list is null || !list.Complete || list.Codes.Count == 0)
            {
                unresolved.Add($"{rule.Id} ({binding.Strength}): {url}");
                return null;
            }
            codes = new CompiledCodeSet(url, list.Codes);
            _codeSets[url] = codes;
        }
        return new CompiledBinding(binding.Strength == "required", codes);
    }

    /// <summary>The enumerated codes of a complete value set (for FHIRPath memberOf); null when not enumerable here.</summary>
    public CompiledCodeSet? CodeSet(string url)
    {
        url = DefinitionSet.StripVersion(url);
        if (_codeSets.TryGetValue(url, out var codes)) return codes;
        var list = _definitions.ResolveCodeList(url);
        if (list is null || !list.Complete || list.Codes.Count == 0) return null;
        return _codeSets[url] = new CompiledCodeSet(url, list.Codes);
    }

    /// <summary>Resolves reference targets to type names and gives complex types without inline children their type's table.</summary>
    private void Link(List<ElementNode> nodes)
    {
        foreach (var node in nodes)
        {
            foreach (var slot in node.Types)
            {
                if (slot.TargetTypes is { } targets) slot.TargetTypes = TargetTypeNames(targets);
                if (!slot.IsResource && slot.Code is not ("BackboneElement" or "Element") && GetOrCompile(BaseUrl + slot.Code)?.Root.Invariants is { } typeInvariants)
                {
                    // The data type's own constraints (per-1 on a Period), less those the element already lists.
                    var own = typeInvariants.Where(t => node.Invariants is null || !node.Invariants.Any(n => n.Key == t.Key)).ToArray();
                    slot.TypeInvariants = own.Length > 0 ? own : null;
                }
                if (slot.Primitive != PrimitiveKind.None || slot.IsResource || node.Children is not null || slot.Resolved is not null) continue;
                if (slot.Code is "BackboneElement" or "Element") continue;
                var typeProfile = (slot.Profile is { } p ? GetOrCompile(p) : null) ?? GetOrCompile(BaseUrl + slot.Code);
                slot.Resolved = typeProfile?.Root;
            }
        }
    }

    private string[]? TargetTypeNames(string[] targetProfiles)
    {
        var names = new List<string>();
        foreach (var target in targetProfiles)
        {
            var url = DefinitionSet.StripVersion(target);
            string? type = null;
            if (url.StartsWith(BaseUrl, StringComparison.Ordinal) && FhirResourceTypes.IsKnown(url[BaseUrl.Length..])) type = url[BaseUrl.Length..];
            else if (_definitions.ProfileTypes.TryGetValue(url, out var profileType)) type = profileType;
            if (type is null or "Resource" or "DomainResource") return null; // unknown or any target
            if (!names.Contains(type)) names.Add(type);
        }
        return names.ToArray();
    }
}
