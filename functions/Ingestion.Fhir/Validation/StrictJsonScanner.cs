using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// The FHIR JSON rules a JSON parser lets through, checked in one <see cref="Utf8JsonReader"/> pass before the
/// document is built: duplicate keys (fatal: which value is meant is unknown), invalid UTF-8 (fatal), strings over the
/// configured length (error), unpaired surrogate escapes such as <c>"\ud800"</c> (fatal: not Unicode). Names seen in an object are kept as offsets into the line (or into a scratch buffer for
/// the rare escaped name), so a resource without problems allocates nothing but two pooled arrays.
/// </summary>
internal ref struct StrictJsonScanner
{
    private readonly ReadOnlySpan<byte> _json;
    private readonly ResourceParserOptions _options;
    // Per open container: its property name (start, length; start < 0 = in the scratch buffer) and array index.
    private (int Start, int Length, int Index, int FirstName)[] _frames;
    private (int Start, int Length)[] _names;
    private byte[]? _scratch;
    private int _scratchUsed;
    private int _depth;
    private int _nameCount;
    // One vectorized check of the whole line; tokens are checked one by one (to locate the problem) only when it fails.
    private readonly bool _checkTokensUtf8;

    public StrictJsonScanner(ReadOnlySpan<byte> json, ResourceParserOptions options)
    {
        _json = json;
        _options = options;
        _frames = ArrayPool<(int, int, int, int)>.Shared.Rent(32);
        _names = ArrayPool<(int, int)>.Shared.Rent(64);
        _checkTokensUtf8 = !Utf8.IsValid(json);
    }

    public List<ValidationIssue>? Issues { get; private set; }

    /// <summary>The resourceType as written at the top level, for locations ("Patient.name[0]"); null if absent.</summary>
    public string? RootType { get; private set; }

    /// <summary>False when the JSON is not well-formed (or too deep); <paramref name="errorOffset"/> then says where.</summary>
    public bool Scan(out long errorOffset, out bool tooDeep)
    {
        errorOffset = 0;
        tooDeep = false;
        var reader = new Utf8JsonReader(_json, new JsonReaderOptions { MaxDepth = _options.MaxDepth });
        var pendingName = (Start: 0, Length: 0);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        Open(pendingName, reader.TokenType == JsonTokenType.StartArray);
                        pendingName = default;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        Close();
                        break;
                    case JsonTokenType.PropertyName:
                        pendingName = Name(ref reader);
                        break;
                    case JsonTokenType.String:
                        CheckString(ref reader, pendingName);
                        pendingName = default;
                        break;
                    default:
                        pendingName = default;
                        Advance();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            errorOffset = reader.TokenStartIndex;
            tooDeep = reader.CurrentDepth >= _options.MaxDepth - 1;
            return false;
        }
        return true;
    }

    public void Dispose()
    {
        ArrayPool<(int, int, int, int)>.Shared.Return(_frames);
        ArrayPool<(int, int)>.Shared.Return(_names);
        if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
    }

    private void Open((int Start, int Length) name, bool isArray)
    {
        Advance();
        if (_depth == _frames.Length) Grow(ref _frames);
        _frames[_depth++] = (name.Start, name.Length, isArray ? 0 : -1, _nameCount);
    }

    private void Close()
    {
        _depth--;
        _nameCount = _frames[_depth].FirstName;
    }

    /// <summary>A value was read: the enclosing array moves to its next index.</summary>
    private void Advance()
    {
        if (_depth > 0 && _frames[_depth - 1].Index >= 0) _frames[_depth - 1].Index++;
    }

    private (int Start, int Length) Name(ref Utf8JsonReader reader)
    {
        (int Start, int Length) name;
        if (reader.ValueIsEscaped && JsonUnicodeEscapes.HasLoneSurrogate(reader.ValueSpan))
        {
            // Not Unicode, so it has no text to compare (and cannot be unescaped): reported, kept as written.
            name = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            Add(IssueSeverity.Fatal, "structure", ResourceParser.RuleInvalidUnicode, "A property name has an unpaired UTF-16 surrogate escape: not valid Unicode.", name);
        }
        else if (reader.ValueIsEscaped)
        {
            // Compare what the name means, not how it is written: "resource\u0054ype" is resourceType.
            var length = reader.ValueSpan.Length;
            if (_scratch is null || _scratch.Length - _scratchUsed < length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(256, (_scratchUsed + length) * 2));
                _scratch?.AsSpan(0, _scratchUsed).CopyTo(grown);
                if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = grown;
            }
            var written = reader.CopyString(_scratch.AsSpan(_scratchUsed));
            name = (-1 - _scratchUsed, written);
            _scratchUsed += written;
        }
        else
        {
            name = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        }

        var text = NameText(name);
        if (_checkTokensUtf8 && !Utf8.IsValid(text)) Add(IssueSeverity.Fatal, "structure", ResourceParser.RuleInvalidUtf8, "A property name is not valid UTF-8.", name);
        for (var i = _frames[_depth - 1].FirstName; i < _nameCount; i++)
        {
            if (NameText(_names[i]).SequenceEqual(text))
            {
                Add(IssueSeverity.Fatal, "structure", ResourceParser.RuleDuplicateKey, "The same property appears twice in one object: which value is meant is unknown.", name);
                break;
            }
        }
        if (_nameCount == _names.Length) Grow(ref _names);
        _names[_nameCount++] = name;
        return name;
    }

    private void CheckString(ref Utf8JsonReader reader, (int Start, int Length) name)
    {
        Advance();
        var value = reader.ValueSpan;
        if (value.Length > _options.MaxStringBytes)
            Add(IssueSeverity.Error, "too-long", ResourceParser.RuleStringTooLong, $"The string is longer than the limit of {_options.MaxStringBytes} bytes.", name);
        if (_checkTokensUtf8 && !Utf8.IsValid(value))
            Add(IssueSeverity.Fatal, "structure", ResourceParser.RuleInvalidUtf8, "The string is not valid UTF-8.", name);
        else if (reader.ValueIsEscaped && JsonUnicodeEscapes.HasLoneSurrogate(value))
            Add(IssueSeverity.Fatal, "structure", ResourceParser.RuleInvalidUnicode, "The string has an unpaired UTF-16 surrogate escape: not valid Unicode.", name);
        else if (_depth == 1 && RootType is null && name.Length > 0 && NameText(name).SequenceEqual("resourceType"u8) && !reader.ValueIsEscaped && value.Length <= 64 && IsSchemaWord(value))
            RootType = Encoding.ASCII.GetString(value);
    }

    private readonly ReadOnlySpan<byte> NameText((int Start, int Length) name) =>
        name.Start >= 0 ? _json.Slice(name.Start, name.Length) : _scratch.AsSpan(-1 - name.Start, name.Length);

    private void Add(IssueSeverity severity, string code, string ruleId, string message, (int Start, int Length) name)
    {
        // Issues are rare: the location is built only here, relative to the root ("" or ".name[0].given").
        var builder = new StringBuilder();
        for (var i = 1; i < _depth; i++)
        {
            var parent = _frames[i - 1];
            if (parent.Index >= 0) builder.Append('[').Append(parent.Index - 1).Append(']');
            else AppendName(builder, (_frames[i].Start, _frames[i].Length));
        }
        if (name != default) AppendName(builder, name);
        else if (_depth > 0 && _frames[_depth - 1].Index >= 0) builder.Append('[').Append(_frames[_depth - 1].Index - 1).Append(']');
        (Issues ??= []).Add(new ValidationIssue(severity, code, builder.ToString(), message, null, ruleId));
    }

    private readonly void AppendName(StringBuilder builder, (int Start, int Length) name)
    {
        var text = NameText(name);
        builder.Append('.');
        if (text.Length > 64 || !IsSchemaWord(text)) builder.Append("(invalid name)");
        else foreach (var b in text) builder.Append((char)b);
    }

    /// <summary>Element names are schema words; anything else may be patient data and is never echoed.</summary>
    private static bool IsSchemaWord(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (!(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_')) return false;
        }
        return text.Length > 0;
    }

    private static void Grow<T>(ref T[] array)
    {
        var grown = ArrayPool<T>.Shared.Rent(array.Length * 2);
        array.AsSpan().CopyTo(grown);
        ArrayPool<T>.Shared.Return(array);
        array = grown;
    }
}
