using Ingestion.Fhir.Json;
using Ingestion.Fhir.Validation;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// The walk's frames and an object index's kept counts store a cursor as its parts (a whole cursor copied into the heap
/// is a bulk-copy helper call): what they give back must be the cursor they were given, part for part, with nothing
/// left over from the element that used the frame or the count slot before.
/// </summary>
public sealed class InvariantWalkStateTests
{
    private static readonly FhirPathModel Model = new(_ => null, _ => null);

    [Fact]
    public void A_frame_gives_back_the_cursor_it_was_pushed_with()
    {
        using var document = ResourceDocument.Parse("""{"resourceType":"Patient","gender":"male","_gender":{"id":"g"},"name":[{"family":"F"}]}""");
        var root = document.RootElement;
        root.TryGetProperty("gender", out var gender);
        root.TryGetProperty("_gender", out var genderShadow);
        root.TryGetProperty("name", out var names);
        var name = names[0];
        ChildTable patient = new() { Path = "Patient" }, humanName = new() { Path = "HumanName" };
        var members = new FhirPathObjectIndex();
        members.Build(root);

        var state = new InvariantWalkState(Model);
        FhirPathCursor rootCursor = new(root, default, "Patient", patient, members), genderCursor = new(gender, genderShadow, "code", null);
        var rootFrame = state.Push(rootCursor, -1, "");
        var genderFrame = state.Push(genderCursor, rootFrame, "gender");
        Assert.Equal(rootCursor, state.Cursor(rootFrame));
        Assert.Equal(genderCursor, state.Cursor(genderFrame));
        Assert.True(state.HasMembers(rootFrame));
        Assert.False(state.HasMembers(genderFrame));
        Assert.Equal(gender, state.Value(genderFrame));

        // The frame reused by the next element: none of the previous element's parts (its shadow) remain.
        state.Pop();
        FhirPathCursor nameCursor = new(name, default, "HumanName", humanName);
        var nameFrame = state.Push(nameCursor, rootFrame, "name");
        Assert.Equal(genderFrame, nameFrame);
        Assert.Equal(nameCursor, state.Cursor(nameFrame));

        // Its names read once: the index joins the cursor, every other part unchanged, once.
        state.IndexMembers(nameFrame);
        var indexed = state.Cursor(nameFrame);
        Assert.NotNull(indexed.Members);
        Assert.True(indexed.Members!.Usable);
        Assert.Equal(nameCursor with { Members = indexed.Members }, indexed);
        state.IndexMembers(nameFrame);
        Assert.Same(indexed.Members, state.Cursor(nameFrame).Members);

        // The element made from the frame's parts, with its parent's.
        var element = state.Element(nameFrame);
        Assert.Equal(name, element.Value);
        Assert.Equal("HumanName", element.Type);
        Assert.Same(humanName, element.Table);
        Assert.Equal(root, element.Parent!.Value);
        state.Clear();
    }

    [Fact]
    public void A_kept_count_gives_back_the_last_item_it_was_kept_with()
    {
        using var document = ResourceDocument.Parse("""{"resourceType":"Observation","valueString":"v","_valueString":{"id":"s"},"status":"final"}""");
        var root = document.RootElement;
        root.TryGetProperty("valueString", out var value);
        root.TryGetProperty("_valueString", out var shadow);
        ChildTable observation = new() { Path = "Observation" }, other = new() { Path = "Other" };
        var inner = new FhirPathObjectIndex();
        var last = new FhirPathCursor(value, shadow, "string", other, inner);

        var index = new FhirPathObjectIndex();
        index.Build(root);
        index.AddCount("value", observation, 2, 1, last);
        index.AddCount("status", observation, 1, 1, last, withLast: false);
        Assert.True(index.TryGetCount("value", observation, 2, out var count, out var kept));
        Assert.Equal(1, count);
        Assert.Equal(last, kept);
        Assert.True(index.TryGetCount("status", observation, 1, out count, out kept, withLast: false));
        Assert.Equal(1, count);
        Assert.Equal(default, kept); // kept without its last item: none given
        Assert.False(index.TryGetCount("status", observation, 1, out _, out _)); // a caller wanting the last item is not answered

        // Rebuilt and kept again in the same slots, without a last item: nothing of the earlier one comes back.
        index.Build(root);
        index.AddCount("value", observation, 2, 1, default, withLast: false);
        Assert.True(index.TryGetCount("value", observation, 2, out _, out kept, withLast: false));
        Assert.Equal(default, kept);
    }
}
