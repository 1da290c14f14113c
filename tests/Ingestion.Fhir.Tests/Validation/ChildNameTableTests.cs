using System.Text;
using Ingestion.Fhir.Validation;
using Xunit;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// The walks look a property up by its raw name in <see cref="ChildNameTable"/>, whose slots compare a key of the name's
/// bytes instead of the name (<see cref="NameKey"/>): it must find exactly what the table's dictionary finds, for every
/// name of every compiled table and for names one byte away from them (changed, cut, lengthened).
/// </summary>
public sealed class ChildNameTableTests
{
    [Fact]
    public void Every_compiled_table_finds_its_names_and_nothing_one_byte_away()
    {
        var compiler = new ProfileCompiler(BuiltInRuleSet.Load());
        compiler.CompileAll(BuiltInRuleSet.Load().Profiles.Values.Where(p => p.Kind == "resource").Select(p => p.Url).Order(StringComparer.Ordinal));
        var tables = Tables(compiler.Compiled.Values.Select(p => p.Root));
        var lookups = 0;
        foreach (var table in tables)
        {
            foreach (var name in table.ByJsonName.Keys)
            {
                var bytes = Encoding.UTF8.GetBytes(name);
                foreach (var candidate in NearNames(bytes))
                {
                    lookups++;
                    var expected = table.ByJsonName.TryGetValue(Encoding.UTF8.GetString(candidate), out var entry);
                    var index = table.Names.IndexOf(candidate);
                    Assert.True(expected == index >= 0, $"{table.Path}: '{Encoding.UTF8.GetString(candidate)}' found {index >= 0}, expected {expected}");
                    if (expected) Assert.Equal(entry, table.Names.EntryAt(index));
                }
            }
        }
        Assert.True(tables.Count > 100 && lookups > 100_000, $"{tables.Count} tables, {lookups} lookups");
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc")]
    [InlineData("abcd")]
    [InlineData("abcdefg")]
    [InlineData("abcdefgh")]
    [InlineData("abcdefghijklmno")]
    [InlineData("abcdefghijklmnop")]
    public void Names_up_to_sixteen_bytes_have_equal_keys_only_when_equal(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var key = NameKey.Of(bytes);
        Assert.Equal(key, NameKey.Of(bytes.ToArray()));
        foreach (var other in NearNames(bytes).Skip(1).Where(n => n.Length <= 16))
            Assert.NotEqual(key, NameKey.Of(other));
    }

    /// <summary>The name itself first, then every one-byte change, every prefix, and the name with a byte added at each end.</summary>
    private static IEnumerable<byte[]> NearNames(byte[] name)
    {
        yield return name;
        for (var i = 0; i < name.Length; i++)
        {
            foreach (var b in "aZ_0x\\"u8.ToArray())
            {
                if (name[i] == b) continue;
                var changed = name.ToArray();
                changed[i] = b;
                yield return changed;
            }
        }
        for (var length = 0; length < name.Length; length++) yield return name[..length];
        yield return [.. name, (byte)'s'];
        yield return [(byte)'_', .. name];
    }

    private static List<ChildTable> Tables(IEnumerable<ChildTable> roots)
    {
        var seen = new HashSet<ChildTable>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<ChildTable>(roots);
        while (pending.Count > 0)
        {
            var table = pending.Pop();
            if (!seen.Add(table)) continue;
            foreach (var (node, slot, _, _) in table.ByJsonName.Values)
            {
                if (node.Children is { } children) pending.Push(children);
                if (slot.Resolved is { } resolved) pending.Push(resolved);
                foreach (var slice in node.Slices ?? [])
                {
                    if (slice.Node.Children is { } sliceChildren) pending.Push(sliceChildren);
                    foreach (var sliceSlot in slice.Node.Types)
                    {
                        if (sliceSlot.Resolved is { } sliceResolved) pending.Push(sliceResolved);
                    }
                }
            }
        }
        return [.. seen];
    }
}
