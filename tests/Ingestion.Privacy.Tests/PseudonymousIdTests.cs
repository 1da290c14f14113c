namespace Ingestion.Privacy.Tests;

public class PseudonymousIdTests
{
    [Fact]
    public void Two_million_ids_are_positive_and_distinct()
    {
        var deid = TestKeys.Deidentifier();
        const int count = 2_000_000;
        var seen = new HashSet<long>(count);
        var domains = Enum.GetValues<OmopKeyDomain>();
        for (var i = 0; i < count; i++)
        {
            // Sequential ids in several domains: the worst case for a weak mixing function.
            var id = deid.PseudonymousId(domains[i % domains.Length], (i / domains.Length).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (id <= 0) Assert.Fail($"non-positive pseudonymous id at {i}");
            if (!seen.Add(id)) Assert.Fail($"duplicate pseudonymous id after {i} ids");
        }
    }

    [Fact]
    public void An_id_given_as_characters_is_the_id_of_the_same_string_in_every_domain()
    {
        var deid = TestKeys.Deidentifier();
        foreach (var domain in Enum.GetValues<OmopKeyDomain>())
        {
            foreach (var id in new[] { "p1", "Observation/8a3f0c2e-1b2d-4c5e-9f00-123456789abc#component/1#map/2", "é-ü", new string('x', 300) })
            {
                IDeidentifier byInterface = deid;
                Assert.Equal(deid.PseudonymousId(domain, id), byInterface.PseudonymousId(domain, id.AsSpan()));
            }
        }
        Assert.Throws<ArgumentException>(() => TestKeys.Deidentifier().PseudonymousId(OmopKeyDomain.Measurement, ReadOnlySpan<char>.Empty));
    }

    [Fact]
    public void An_id_given_as_UTF8_is_the_id_of_its_string_in_every_domain()
    {
        var deid = TestKeys.Deidentifier();
        foreach (var domain in Enum.GetValues<OmopKeyDomain>())
        {
            foreach (var id in new[] { "p1", "Observation/8a3f0c2e-1b2d-4c5e-9f00-123456789abc#component/1#map/2", "é-ü-😀", new string('x', 300), new string('é', 200) })
            {
                IDeidentifier byInterface = deid;
                Assert.Equal(deid.PseudonymousId(domain, id), byInterface.PseudonymousId(domain, (ReadOnlySpan<byte>)System.Text.Encoding.UTF8.GetBytes(id)));
            }
            // Not UTF-8: the id of its decoding (U+FFFD for each bad sequence), as the characters would give.
            byte[] invalid = [(byte)'a', 0xFF, (byte)'b', 0xC3];
            Assert.Equal(deid.PseudonymousId(domain, System.Text.Encoding.UTF8.GetString(invalid)), deid.PseudonymousId(domain, (ReadOnlySpan<byte>)invalid));
        }
        Assert.Throws<ArgumentException>(() => TestKeys.Deidentifier().PseudonymousId(OmopKeyDomain.Measurement, ReadOnlySpan<byte>.Empty));
        Assert.Throws<ArgumentException>(() => TestKeys.Deidentifier().PseudonymousId(OmopKeyDomain.Person, ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Ids_use_all_63_bits()
    {
        var deid = TestKeys.Deidentifier();
        var ids = Enumerable.Range(0, 10_000).Select(i => deid.PseudonymousId(OmopKeyDomain.Measurement, $"m{i}")).ToList();
        // Half should have the top (63rd) bit set, a sign that the full positive range is used.
        Assert.InRange(ids.Count(id => id >= 1L << 62), 4700, 5300);
    }

    [Fact]
    public void An_empty_logical_id_is_rejected_without_echoing_anything()
    {
        var deid = TestKeys.Deidentifier();
        var e = Assert.Throws<ArgumentException>(() => deid.PseudonymousId(OmopKeyDomain.Person, ""));
        Assert.Equal("logicalId", e.ParamName);
        Assert.Throws<ArgumentException>(() => deid.DateOffsetDays(""));
        Assert.Throws<ArgumentException>(() => deid.ShiftDate(null!, "2020-01-01"));
    }

    [Fact]
    public void Long_and_non_ASCII_logical_ids_work_and_stay_distinct()
    {
        var deid = TestKeys.Deidentifier();
        var longId = new string('a', 5000);
        Assert.NotEqual(deid.PseudonymousId(OmopKeyDomain.Location, longId), deid.PseudonymousId(OmopKeyDomain.Location, longId + "a"));
        Assert.Equal(deid.PseudonymousId(OmopKeyDomain.Location, longId), TestKeys.Deidentifier().PseudonymousId(OmopKeyDomain.Location, longId));
        Assert.NotEqual(deid.PseudonymousId(OmopKeyDomain.Person, "é"), deid.PseudonymousId(OmopKeyDomain.Person, "e"));
    }
}
