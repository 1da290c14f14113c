using System.Text;

namespace Ingestion.Parquet.Thrift;

/// <summary>
/// Writes the Thrift compact protocol (the encoding of Parquet page headers and the footer): field headers carry
/// the id delta and type in one byte when the delta is 1..15, integers are zigzag ULEB128 varints, booleans live in
/// the field type, and structs end with a stop byte.
/// </summary>
internal sealed class ThriftCompactWriter
{
    private const byte TypeBooleanTrue = 1;
    private const byte TypeBooleanFalse = 2;
    private const byte TypeByte = 3;
    private const byte TypeI16 = 4;
    private const byte TypeI32 = 5;
    private const byte TypeI64 = 6;
    private const byte TypeBinary = 8;
    private const byte TypeList = 9;
    private const byte TypeStruct = 12;

    private readonly ByteBuffer _output;
    private readonly Stack<short> _enclosingFieldIds = new();
    private short _lastFieldId;

    public ThriftCompactWriter(ByteBuffer output) => _output = output;

    /// <summary>Element types for <see cref="ListBegin"/>.</summary>
    public enum ElementType : byte { I32 = TypeI32, I64 = TypeI64, Binary = TypeBinary, Struct = TypeStruct }

    public void StructBegin()
    {
        _enclosingFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void StructEnd()
    {
        _output.WriteByte(0);
        _lastFieldId = _enclosingFieldIds.Pop();
    }

    public void StructFieldBegin(short id)
    {
        FieldHeader(id, TypeStruct);
        StructBegin();
    }

    /// <summary>An empty struct field (union arms such as StringType or MICROS are empty structs).</summary>
    public void EmptyStructField(short id)
    {
        StructFieldBegin(id);
        StructEnd();
    }

    public void BoolField(short id, bool value) => FieldHeader(id, value ? TypeBooleanTrue : TypeBooleanFalse);

    public void ByteField(short id, sbyte value)
    {
        FieldHeader(id, TypeByte);
        _output.WriteByte((byte)value);
    }

    public void I16Field(short id, short value)
    {
        FieldHeader(id, TypeI16);
        I32(value);
    }

    public void I32Field(short id, int value)
    {
        FieldHeader(id, TypeI32);
        I32(value);
    }

    public void I64Field(short id, long value)
    {
        FieldHeader(id, TypeI64);
        I64(value);
    }

    public void BinaryField(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, TypeBinary);
        Binary(value);
    }

    public void StringField(short id, string value)
    {
        FieldHeader(id, TypeBinary);
        String(value);
    }

    public void ListFieldBegin(short id, ElementType elementType, int count)
    {
        FieldHeader(id, TypeList);
        ListBegin(elementType, count);
    }

    public void ListBegin(ElementType elementType, int count)
    {
        if (count < 15) _output.WriteByte((byte)((count << 4) | (byte)elementType));
        else
        {
            _output.WriteByte((byte)(0xF0 | (byte)elementType));
            _output.WriteUnsignedVarint((uint)count);
        }
    }

    public void I32(int value) => _output.WriteUnsignedVarint((uint)((value << 1) ^ (value >> 31)));

    public void I64(long value) => _output.WriteUnsignedVarint((ulong)((value << 1) ^ (value >> 63)));

    public void Binary(ReadOnlySpan<byte> value)
    {
        _output.WriteUnsignedVarint((uint)value.Length);
        _output.Write(value);
    }

    public void String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        _output.WriteUnsignedVarint((uint)count);
        _output.Advance(Encoding.UTF8.GetBytes(value, _output.GetSpan(count)));
    }

    private void FieldHeader(short id, byte type)
    {
        var delta = id - _lastFieldId;
        if (delta is > 0 and <= 15) _output.WriteByte((byte)((delta << 4) | type));
        else
        {
            _output.WriteByte(type);
            I32(id);
        }
        _lastFieldId = id;
    }
}
