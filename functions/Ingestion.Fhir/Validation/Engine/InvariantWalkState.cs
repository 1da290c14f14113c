using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Per-walk state of <see cref="InvariantWalker"/>, reused across resources (it lives in the pooled
/// <see cref="ValidationContext"/>): the elements on the path from the root to the current one, as cursors that become
/// <see cref="FhirPathElement"/>s (with their parent chain) only when an expression needs one, and one FHIRPath scope.
/// Most elements carry only ele-1, checked natively on the cursor, so most are never materialised.
/// </summary>
internal sealed class InvariantWalkState
{
    private Frame[] _frames = new Frame[32];
    private FhirPathObjectIndex?[] _indexes = new FhirPathObjectIndex?[32];
    private int _count;
    private int _highWater;
    private int _indexedHighWater;

    public InvariantWalkState(FhirPathModel model) => Scope = new FhirPathScope(model);

    public FhirPathScope Scope { get; }

    /// <summary>
    /// Nested (contained, Bundle-entry) resources the walk is inside. Outside them <c>%rootResource</c> is the walked
    /// resource (frame 0); inside, it may be another (a Bundle entry is its own root), so what depends on it — the
    /// memo's ContainedIds contexts, ref-1's <c>#id</c> check — is left alone there.
    /// </summary>
    public int NestedResources { get; set; }

    /// <summary>Enters an element; returns its frame index.</summary>
    public int Push(in FhirPathCursor cursor, int parent, string name, FhirPathElement? element = null)
    {
        if (_count == _frames.Length) Array.Resize(ref _frames, _count * 2);
        // Field by field: every field is written (a frame left by Pop holds the last element's). The cursor's parts are
        // stored one by one: the cursor whole holds five references, and a copy of a struct with four or more into the
        // heap is a bulk-copy helper call (memmove, then the destination's cards marked), where each part is one store
        // with its own write barrier.
        ref var frame = ref _frames[_count];
        frame.Value = cursor.Value;
        frame.Shadow = cursor.Shadow;
        frame.Type = cursor.Type;
        frame.Table = cursor.Table;
        frame.Members = cursor.Members;
        frame.Parent = parent;
        frame.Name = name;
        frame.Element = element;
        frame.Shape = ObjectShape.Unknown;
        if (_count >= _highWater) _highWater = _count + 1;
        return _count++;
    }

    /// <summary>Leaves the innermost element; its frame's references are dropped when the resource ends (<see cref="Clear"/>), not per element.</summary>
    public void Pop() => _count--;

    /// <summary>The frame's cursor, built on the caller's stack from the frame's parts.</summary>
    public FhirPathCursor Cursor(int index)
    {
        ref readonly var frame = ref _frames[index];
        return new FhirPathCursor(frame.Value, frame.Shadow, frame.Type, frame.Table, frame.Members);
    }

    /// <summary>The value of a frame's element (its cursor's <see cref="FhirPathCursor.Value"/>).</summary>
    public ResourceElement Value(int index) => _frames[index].Value;

    /// <summary>Whether the frame's object names were read once (its cursor's <see cref="FhirPathCursor.Members"/>).</summary>
    public bool HasMembers(int index) => _frames[index].Members is not null;

    /// <summary>
    /// Reads the frame's object names once (<see cref="FhirPathObjectIndex"/>), for an element where several
    /// constraints navigate from the focus; kept in the frame (its cursor's <see cref="FhirPathCursor.Members"/>) for
    /// the rest of its constraints.
    /// </summary>
    public void IndexMembers(int index)
    {
        ref var frame = ref _frames[index];
        if (frame.Members is not null || frame.Value.ValueKind != JsonValueKind.Object) return;
        if (index >= _indexes.Length) Array.Resize(ref _indexes, Math.Max(_indexes.Length * 2, index + 1));
        var members = _indexes[index] ??= new FhirPathObjectIndex();
        members.Build(frame.Value);
        if (index >= _indexedHighWater) _indexedHighWater = index + 1;
        frame.Members = members;
    }

    /// <summary>The element of a frame, created (with its ancestors) on first use.</summary>
    public FhirPathElement Element(int index)
    {
        ref var frame = ref _frames[index];
        if (frame.Element is { } existing) return existing;
        var parent = frame.Parent >= 0 ? Element(frame.Parent) : null;
        frame = ref _frames[index];
        return frame.Element = new FhirPathElement(frame.Value, frame.Shadow, frame.Type, frame.Table, parent, frame.Name);
    }

    /// <summary>
    /// What the walk needs to know about an object's property names, found in one pass on first use: whether any is a
    /// <c>_name</c> primitive extension (values and their <c>_name</c> objects must then be paired by name), and whether
    /// the object may hold contained resources (<c>contained</c>, <c>_contained</c>, or a name written with escapes).
    /// </summary>
    public ObjectShape Shape(int index)
    {
        ref var frame = ref _frames[index];
        if (frame.Shape != ObjectShape.Unknown) return frame.Shape;
        var shape = ObjectShape.Scanned;
        if (frame.Value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in frame.Value.EnumerateObject())
            {
                var raw = property.Utf8Name;
                var plain = JsonProperties.IsPlain(raw);
                if (raw.Length > 1 && raw[0] == (byte)'_')
                {
                    shape |= ObjectShape.HasShadows;
                    raw = raw[1..];
                }
                if (!plain || raw.SequenceEqual("contained"u8)) shape |= ObjectShape.MayHaveContained;
            }
        }
        else if (frame.Shadow.ValueKind == JsonValueKind.Object) shape |= ObjectShape.MayHaveContained; // navigation reads the _name object: not judged here
        return frame.Shape = shape;
    }

    /// <summary>What <see cref="Shape"/> finds, from an object's names read once (all plain: only the name <c>contained</c> matters), noted while they were read.</summary>
    public static ObjectShape ShapeOf(FhirPathObjectIndex members) => ObjectShape.Scanned
        | (members.HasShadowNames ? ObjectShape.HasShadows : ObjectShape.Unknown)
        | (members.HasContainedName ? ObjectShape.MayHaveContained : ObjectShape.Unknown);

    /// <summary>An object's shape found by the walk that read its names (the same rules as <see cref="Shape"/>).</summary>
    public void SetShape(int index, ObjectShape shape) => _frames[index].Shape = shape;

    public bool HasShape(int index) => _frames[index].Shape != ObjectShape.Unknown;

    public void Clear()
    {
        Array.Clear(_frames, 0, _highWater);
        _highWater = 0;
        _count = 0;
        NestedResources = 0;
        for (var i = 0; i < _indexedHighWater; i++) _indexes[i]?.Clear();
        _indexedHighWater = 0;
    }

    /// <summary>An element on the path: its cursor's parts (<see cref="Push"/> says why not the cursor whole), parent, name, element.</summary>
    private struct Frame
    {
        public ResourceElement Value;
        public ResourceElement Shadow;
        public string? Type;
        public ChildTable? Table;
        public FhirPathObjectIndex? Members;
        public int Parent;
        public string Name;
        public FhirPathElement? Element;
        public ObjectShape Shape;
    }
}

[Flags]
internal enum ObjectShape : byte
{
    Unknown = 0,
    Scanned = 1,
    HasShadows = 2,
    MayHaveContained = 4,
}
