using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Walks a resource's JSON against a compiled element table: unknown elements, JSON types, primitive formats,
/// cardinality, fixed/pattern values, bindings, slices, reference targets, must-support. Fatal issues (the resource
/// cannot be used) are wrong JSON types and invalid primitive values; the rest are conformance errors.
/// </summary>
internal sealed class ResourceWalker
{
    public const string RuleEmptyObject = "json.empty-object";
    public const string RulePrimitiveExtensionMember = "json.primitive-extension-member";

    private readonly Func<string, ChildTable?> _baseResource;

    public ResourceWalker(Func<string, ChildTable?> baseResource) => _baseResource = baseResource;

    public void ValidateObject(JsonElement obj, ChildTable table, ValidationContext context, bool isResource)
    {
        // Presence per element, counted during the one pass over the properties: values, and primitive extensions.
        var slots = table.SlotCount;
        Span<byte> counts = slots <= 128 ? stackalloc byte[slots * 2] : new byte[slots * 2];
        counts.Clear();
        var members = 0;
        foreach (var property in obj.EnumerateObject())
        {
            members++;
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (isResource && raw.SequenceEqual("resourceType"u8)) continue;
            var isPrimitiveExtension = raw.Length > 1 && raw[0] == (byte)'_';
            var lookupName = isPrimitiveExtension ? raw[1..] : raw;
            if (!table.Names.TryGetValue(lookupName, out var entry))
            {
                context.Add(IssueSeverity.Error, "structure", table.Path + ":unknown-element", "Unknown element here, or a type the profile does not allow for this choice element.", SafeName(property));
                continue;
            }
            if (isPrimitiveExtension)
            {
                // _name carries id/extension for a primitive: an object, or an array aligned with the values.
                if (entry.Slot.Primitive == PrimitiveKind.None || property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                    context.Add(IssueSeverity.Error, "structure", table.Path + ":unknown-element", "Primitive extension on a non-primitive element, or not an object.", SafeName(property));
                else
                {
                    CheckPrimitiveExtension(property, context);
                    if (HasExtension(property.Value))
                    {
                        counts[slots + entry.Index] = 1;
                        counts[slots + entry.BaseIndex] = 1;
                    }
                }
                continue;
            }
            if (counts[entry.BaseIndex] < byte.MaxValue) counts[entry.BaseIndex]++;
            if (entry.Index != entry.BaseIndex) counts[entry.Index] = 1;
            ValidateProperty(entry.Node, entry.Slot, property.Value, context);
        }
        if (members == 0) context.Add(IssueSeverity.Error, "structure", RuleEmptyObject, "Empty objects are not allowed in FHIR JSON.");

        foreach (var (node, index) in table.Required)
        {
            if (counts[index] > 0 || counts[slots + index] > 0) continue;
            if (node.Min > 0)
            {
                context.Add(IssueSeverity.Error, "required", node.ElementId + ":min", $"Required element missing (min {node.Min}).", node.IsChoice ? node.Name : JsonNameOf(node));
            }
            else if (node.Slices is { } slices)
            {
                foreach (var slice in slices)
                {
                    if (slice.Node.Min > 0 && slice.Evaluable)
                        context.Add(IssueSeverity.Error, "required", slice.Name + ":min", $"Required slice missing (min {slice.Node.Min}).", node.Name);
                }
            }
        }

        foreach (var (node, index) in table.Choices)
        {
            if (counts[index] > 1) context.Add(IssueSeverity.Error, "structure", node.ElementId + ":max", "More than one type given for a choice element.", node.Name);
        }

        if (context.ReportMustSupport)
        {
            foreach (var (node, index) in table.MustSupport)
            {
                if (counts[index] == 0 && counts[slots + index] == 0)
                    context.Add(IssueSeverity.Information, "informational", node.ElementId + ":must-support", "Must-support element absent.", node.IsChoice ? node.Name : JsonNameOf(node));
            }
        }
    }

    /// <summary>
    /// A <c>_name</c> object (or each non-null item of a <c>_name</c> array) may hold only <c>id</c> and <c>extension</c>,
    /// and is not empty.
    /// </summary>
    private static void CheckPrimitiveExtension(JsonProperty property, ValidationContext context)
    {
        var name = SafeName(property);
        if (property.Value.ValueKind == JsonValueKind.Object)
        {
            CheckPrimitiveExtensionObject(property.Value, name, -1, context);
            return;
        }
        var i = 0;
        foreach (var item in property.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Null) CheckPrimitiveExtensionObject(item, name, i, context);
            i++;
        }
    }

    private static void CheckPrimitiveExtensionObject(JsonElement value, string name, int index, ValidationContext context)
    {
        context.Push(name, index);
        if (value.ValueKind != JsonValueKind.Object)
        {
            context.Add(IssueSeverity.Error, "structure", RulePrimitiveExtensionMember, "A primitive extension item must be an object or null.");
        }
        else
        {
            var members = 0;
            foreach (var member in value.EnumerateObject())
            {
                members++;
                if (!(member.NameEquals("id"u8) || member.NameEquals("extension"u8)))
                    context.Add(IssueSeverity.Error, "structure", RulePrimitiveExtensionMember, "A primitive extension object holds only id and extension.", SafeName(member));
            }
            if (members == 0) context.Add(IssueSeverity.Error, "structure", RuleEmptyObject, "Empty objects are not allowed in FHIR JSON.");
        }
        context.Pop();
    }

    private static string JsonNameOf(ElementNode node) => node.Types.Length > 0 ? node.Types[0].JsonName : node.Name;

    /// <summary>A primitive is present through its extension alone (_birthDate with data-absent-reason) only if it has one.</summary>
    private static bool HasExtension(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Object) return value.TryGetProperty("extension"u8, out _);
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("extension"u8, out _)) return true;
        }
        return false;
    }

    private void ValidateProperty(ElementNode node, TypeSlot slot, JsonElement value, ValidationContext context)
    {
        var name = slot.JsonName;
        if (node.IsArray)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", "Expected a JSON array for this repeating element.", name);
                return;
            }
            var length = value.GetArrayLength();
            if (length == 0)
            {
                context.Add(IssueSeverity.Error, "structure", node.ElementId + ":empty", "Empty arrays are not allowed in FHIR JSON.", name);
                return;
            }
            if (length > node.Max) context.Add(IssueSeverity.Error, "structure", node.ElementId + ":max", $"Too many items (max {MaxText(node.Max)}).", name);

            if (node.Slices is { Length: > 0 } slices)
            {
                ValidateSlicedArray(node, slot, value, slices, context);
                return;
            }
            context.Push(name, 0);
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                context.SetIndex(i++);
                if (item.ValueKind == JsonValueKind.Null && slot.Primitive != PrimitiveKind.None) continue; // aligned with _name
                ValidateItem(node, slot, item, context, slot.SubtreeId);
            }
            context.Pop();
            return;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", "Expected a single value, found a JSON array.", name);
            return;
        }
        if (node.Max == 0)
        {
            context.Add(IssueSeverity.Error, "structure", node.ElementId + ":max", "Element not allowed by the profile (max 0).", name);
            return;
        }
        context.Push(name);
        ValidateItem(node, slot, value, context, slot.SubtreeId);
        context.Pop();
    }

    private static string MaxText(int max) => max == int.MaxValue ? "*" : max.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void ValidateSlicedArray(ElementNode node, TypeSlot slot, JsonElement array, SliceRule[] slices, ValidationContext context)
    {
        Span<int> counts = slices.Length <= 32 ? stackalloc int[slices.Length] : new int[slices.Length];
        context.Push(slot.JsonName, 0);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            context.SetIndex(i++);
            var matched = -1;
            for (var s = 0; s < slices.Length; s++)
            {
                if (slices[s].Evaluable && Matches(slices[s], item))
                {
                    matched = s;
                    break;
                }
            }
            if (matched >= 0)
            {
                counts[matched]++;
                // The item meets the slice's rules and the sliced element's: a slice without inline children keeps the
                // sliced element's children unless its type names a profile (extension slices).
                var sliceNode = slices[matched].Node;
                var sliceSlot = sliceNode.Types.Length > 0 ? sliceNode.Types[0] : slot;
                var children = sliceNode.Children ?? (sliceSlot.Profile is not null ? sliceSlot.Resolved : node.Children ?? sliceSlot.Resolved);
                ValidateItem(sliceNode, sliceSlot, item, context, slices[matched].SubtreeId, children);
            }
            else
            {
                if (node.SlicingClosed) context.Add(IssueSeverity.Error, "structure", node.ElementId + ":closed-slicing", "Item matches no slice of a closed slicing.");
                ValidateItem(node, slot, item, context, slot.SubtreeId);
            }
        }
        context.Pop();
        for (var s = 0; s < slices.Length; s++)
        {
            var slice = slices[s];
            if (!slice.Evaluable) continue;
            if (counts[s] < slice.Node.Min)
                context.Add(IssueSeverity.Error, "required", slice.Name + ":min", $"Required slice missing (min {slice.Node.Min}).", slot.JsonName);
            else if (counts[s] > slice.Node.Max)
                context.Add(IssueSeverity.Error, "structure", slice.Name + ":max", $"Too many items in slice (max {MaxText(slice.Node.Max)}).", slot.JsonName);
        }
    }

    internal static bool Matches(SliceRule slice, JsonElement item)
    {
        foreach (var discriminator in slice.Discriminators)
        {
            if (!AnyValueMatches(item, discriminator.Path, 0, discriminator)) return false;
        }
        return true;
    }

    private static bool AnyValueMatches(JsonElement current, string[] path, int index, SliceDiscriminator discriminator)
    {
        if (current.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in current.EnumerateArray())
            {
                if (AnyValueMatches(item, path, index, discriminator)) return true;
            }
            return false;
        }
        if (index == path.Length && discriminator.ValueSet is { } valueSet) return InValueSet(valueSet, current);
        if (index == path.Length)
            return discriminator.IsPattern ? JsonValues.MatchesPattern(discriminator.Expected, current) : JsonValues.EqualsExactly(discriminator.Expected, current);
        return current.ValueKind == JsonValueKind.Object && current.TryGetProperty(path[index], out var next) && AnyValueMatches(next, path, index + 1, discriminator);
    }

    /// <summary>A code, Coding or CodeableConcept (any coding) in the code set.</summary>
    internal static bool InValueSet(CompiledCodeSet codes, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String) return codes.ContainsCode(value);
        if (value.ValueKind != JsonValueKind.Object) return false;
        if (value.TryGetProperty("coding"u8, out var codings) && codings.ValueKind == JsonValueKind.Array)
        {
            foreach (var coding in codings.EnumerateArray())
            {
                if (coding.ValueKind == JsonValueKind.Object && coding.TryGetProperty("code"u8, out var code)
                    && codes.Contains(coding.TryGetProperty("system"u8, out var system) ? system : default, code)) return true;
            }
            return false;
        }
        return value.TryGetProperty("code"u8, out var c) && codes.Contains(value.TryGetProperty("system"u8, out var s) ? s : default, c);
    }

    /// <summary>
    /// An object met clean before in the same context (<paramref name="subtree"/>: the slot's or the matched slice's
    /// id) is not walked again (<see cref="SubtreeMemo"/>); only a walk that added no issue is remembered. The slice
    /// match and counts stay with the caller.
    /// </summary>
    private void ValidateItem(ElementNode node, TypeSlot slot, JsonElement item, ValidationContext context, int subtree, ChildTable? children = null)
    {
        if (subtree == 0 || item.ValueKind != JsonValueKind.Object || context.Memo is not { } memo)
        {
            ValidateValue(node, slot, item, context, children);
            return;
        }
        if (memo.Seen(subtree << 1, item, out var key)) return;
        var before = context.IssueCount;
        ValidateValue(node, slot, item, context, children);
        if (context.IssueCount == before) memo.Remember(key);
    }

    private void ValidateValue(ElementNode node, TypeSlot slot, JsonElement item, ValidationContext context, ChildTable? children)
    {
        if (slot.Primitive != PrimitiveKind.None)
        {
            var check = PrimitiveFormats.Check(slot.Primitive, item);
            if (check == PrimitiveCheck.WrongJsonType)
            {
                context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", $"Wrong JSON type for a FHIR {slot.Code}.");
                return;
            }
            if (check == PrimitiveCheck.InvalidFormat)
            {
                context.Add(IssueSeverity.Fatal, "value", node.ElementId + ":format", $"Value is not a valid FHIR {slot.Code}.");
                return;
            }
            CheckFixedAndPattern(node, item, context);
            if (node.Binding is { } binding && slot.Primitive is PrimitiveKind.Code or PrimitiveKind.String or PrimitiveKind.Uri && !binding.Codes.ContainsCode(item))
                ReportBinding(node, binding, context);
            return;
        }

        if (item.ValueKind != JsonValueKind.Object)
        {
            context.Add(IssueSeverity.Fatal, "structure", node.ElementId + ":json-type", $"Expected a JSON object for a FHIR {slot.Code}.");
            return;
        }
        CheckFixedAndPattern(node, item, context);
        if (node.Binding is { } b) CheckBinding(node, slot, b, item, context);
        if (slot.TargetTypes is { } targets) CheckReferenceTarget(node, targets, item, context);

        if (slot.IsResource)
        {
            ValidateNestedResource(item, context);
            return;
        }
        var table = children ?? node.Children ?? slot.Resolved;
        if (table is not null) ValidateObject(item, table, context, isResource: false);
    }

    private void ValidateNestedResource(JsonElement item, ValidationContext context)
    {
        if (!item.TryGetProperty("resourceType"u8, out var type) || type.ValueKind != JsonValueKind.String)
        {
            context.Add(IssueSeverity.Error, "structure", "Resource:resourceType", "Nested resource without resourceType.");
            return;
        }
        var name = type.GetString()!;
        if (!FhirResourceTypes.IsKnown(name))
        {
            context.Add(IssueSeverity.Error, "not-supported", "Resource:resourceType", "Nested resource of an unknown type.");
            return;
        }
        if (_baseResource(name) is { } table) ValidateObject(item, table, context, isResource: true);
    }

    private static void CheckFixedAndPattern(ElementNode node, JsonElement item, ValidationContext context)
    {
        if (node.Fixed is { } fixedValue && !JsonValues.EqualsExactly(fixedValue, item))
            context.Add(IssueSeverity.Error, "value", node.ElementId + ":fixed", "Value differs from the fixed value the profile requires.");
        if (node.Pattern is { } pattern && !JsonValues.MatchesPattern(pattern, item))
            context.Add(IssueSeverity.Error, "value", node.ElementId + ":pattern", "Value does not match the pattern the profile requires.");
    }

    private static void CheckBinding(ElementNode node, TypeSlot slot, CompiledBinding binding, JsonElement item, ValidationContext context)
    {
        switch (slot.Code)
        {
            case "CodeableConcept":
                if (item.TryGetProperty("coding"u8, out var codings) && codings.ValueKind == JsonValueKind.Array)
                {
                    foreach (var coding in codings.EnumerateArray())
                    {
                        if (coding.ValueKind == JsonValueKind.Object && coding.TryGetProperty("code"u8, out var code)
                            && binding.Codes.Contains(coding.TryGetProperty("system"u8, out var system) ? system : default, code)) return;
                    }
                }
                ReportBinding(node, binding, context);
                return;
            case "Coding":
            case "Quantity":
                if (!item.TryGetProperty("code"u8, out var c))
                {
                    if (slot.Code == "Quantity") return; // a Quantity may carry no coded unit
                    ReportBinding(node, binding, context);
                    return;
                }
                if (!binding.Codes.Contains(item.TryGetProperty("system"u8, out var s) ? s : default, c)) ReportBinding(node, binding, context);
                return;
        }
    }

    private static void ReportBinding(ElementNode node, CompiledBinding binding, ValidationContext context)
    {
        if (binding.Required)
            context.Add(IssueSeverity.Error, "code-invalid", node.ElementId + ":binding", $"Code not in the required value set {binding.Codes.ValueSetUrl}.");
        else
            context.Add(IssueSeverity.Warning, "code-invalid", node.ElementId + ":binding-extensible", $"Code not in the extensible value set {binding.Codes.ValueSetUrl}.");
    }

    private static void CheckReferenceTarget(ElementNode node, string[] targets, JsonElement item, ValidationContext context)
    {
        if (!item.TryGetProperty("reference"u8, out var reference) || reference.ValueKind != JsonValueKind.String) return;
        var raw = PrimitiveFormats.Unquote(JsonMarshal.GetRawUtf8Value(reference));
        if (!TryReferenceType(raw, out var typeBytes)) return; // contained (#id), urn:uuid/urn:oid or unparseable: cannot tell the type
        Span<char> chars = stackalloc char[64];
        if (typeBytes.Length > chars.Length || !TryAscii(typeBytes, chars, out var typeName)) return;
        if (!FhirResourceTypes.TryGet(typeName, out _)) return;
        foreach (var target in targets)
        {
            if (typeName.SequenceEqual(target)) return;
        }
        context.Add(IssueSeverity.Error, "structure", node.ElementId + ":reference-target", $"Reference points to a resource type the profile does not allow (allowed: {string.Join(", ", targets)}).");
    }

    /// <summary>The type segment of "Type/id", "Type/id/_history/v" or an absolute URL ending that way.</summary>
    internal static bool TryReferenceType(ReadOnlySpan<byte> reference, out ReadOnlySpan<byte> type)
    {
        type = default;
        if (reference.Length == 0 || reference[0] == (byte)'#' || reference.StartsWith("urn:"u8)) return false;
        var history = reference.IndexOf("/_history/"u8);
        if (history >= 0) reference = reference[..history];
        var lastSlash = reference.LastIndexOf((byte)'/');
        if (lastSlash <= 0) return false;
        var head = reference[..lastSlash];
        var typeStart = head.LastIndexOf((byte)'/') + 1;
        type = head[typeStart..];
        return type.Length > 0;
    }

    internal static bool TryAscii(ReadOnlySpan<byte> bytes, Span<char> buffer, out ReadOnlySpan<char> chars)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] >= 0x80)
            {
                chars = default;
                return false;
            }
            buffer[i] = (char)bytes[i];
        }
        chars = buffer[..bytes.Length];
        return true;
    }

    /// <summary>Element names are schema words; anything else is reported without its text.</summary>
    private static string SafeName(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.Length is 0 or > 64) return "(invalid name)";
        foreach (var b in raw)
        {
            if (!(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_')) return "(invalid name)";
        }
        return property.Name;
    }
}
