namespace Ingestion.Privacy.Tests;

public class DeterminismTests
{
    private static readonly string[] PatientIds = Enumerable.Range(0, 200).Select(i => $"patient-{i}").ToArray();

    [Fact]
    public void Two_instances_with_the_same_key_give_the_same_ids_offsets_and_dates()
    {
        var a = TestKeys.Deidentifier();
        var b = TestKeys.Deidentifier();
        Assert.Equal(a.KeyFingerprint, b.KeyFingerprint);
        foreach (var id in PatientIds)
        {
            Assert.Equal(a.DateOffsetDays(id), b.DateOffsetDays(id));
            foreach (var domain in Enum.GetValues<OmopKeyDomain>()) Assert.Equal(a.PseudonymousId(domain, id), b.PseudonymousId(domain, id));
            Assert.Equal(a.ShiftDateTime(id, "2020-02-29T23:59:59.999+14:00"), b.ShiftDateTime(id, "2020-02-29T23:59:59.999+14:00"));
            Assert.Equal(a.ShiftDate(id, "1999"), b.ShiftDate(id, "1999"));
        }
    }

    [Fact]
    public void Ids_and_offsets_are_pinned_for_a_fixed_key_so_a_code_change_cannot_silently_rekey_the_lake()
    {
        // Computed independently with the framework's HMAC over the documented message layout.
        var key = Convert.FromBase64String(TestKeys.Primary);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(key, "ingestion-deid/v1/id/person\0patient-1"u8);
        var expectedId = (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(mac) & long.MaxValue);
        Assert.Equal(expectedId, TestKeys.Deidentifier().PseudonymousId(OmopKeyDomain.Person, "patient-1"));

        var dates = System.Security.Cryptography.HMACSHA256.HashData(key, "ingestion-deid/v1/patient-dates\0patient-1"u8);
        var r = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(dates) % 365);
        Assert.Equal(-1 - r, TestKeys.Deidentifier().DateOffsetDays("patient-1"));
    }

    [Fact]
    public void Every_id_equals_the_framework_HMAC_of_its_message_whatever_its_length_and_whichever_overload_derives_it()
    {
        // Ids of 1-180 characters put the message (label, table name, NUL, id) on both sides of each SHA-256 block
        // boundary; non-ASCII ids take the UTF-8 path. Both overloads and event and shared domains are compared.
        var key = Convert.FromBase64String(TestKeys.Primary);
        var deid = TestKeys.Deidentifier();
        var random = new Random(19);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-./#é漢";
        foreach (var domain in new[] { OmopKeyDomain.Measurement, OmopKeyDomain.Person, OmopKeyDomain.PayerPlanPeriod })
        {
            var table = System.Text.Encoding.ASCII.GetBytes(OmopKeyDomainNames.TableName(domain));
            for (var length = 1; length <= 180; length++)
            {
                var id = new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
                byte[] message = [.. "ingestion-deid/v1/id/"u8.ToArray(), .. table, 0, .. System.Text.Encoding.UTF8.GetBytes(id)];
                var mac = System.Security.Cryptography.HMACSHA256.HashData(key, message);
                var expected = (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(mac) & long.MaxValue);
                Assert.Equal(expected, deid.PseudonymousId(domain, id));
                Assert.Equal(expected, deid.PseudonymousId(domain, id.AsSpan()));
            }
        }
    }

    [Fact]
    public void A_different_key_gives_different_ids_offsets_and_fingerprint()
    {
        var a = TestKeys.Deidentifier();
        var b = TestKeys.Deidentifier(TestKeys.Other);
        Assert.NotEqual(a.KeyFingerprint, b.KeyFingerprint);
        Assert.All(PatientIds, id => Assert.NotEqual(a.PseudonymousId(OmopKeyDomain.Person, id), b.PseudonymousId(OmopKeyDomain.Person, id)));
        // Offsets take 365 values, so a few coincide by chance (expected 200/365); most must differ.
        var sameOffsets = PatientIds.Count(id => a.DateOffsetDays(id) == b.DateOffsetDays(id));
        Assert.InRange(sameOffsets, 0, 10);
    }

    [Fact]
    public void The_same_logical_id_gets_unrelated_keys_in_each_domain()
    {
        var deid = TestKeys.Deidentifier();
        foreach (var id in PatientIds)
        {
            var keys = Enum.GetValues<OmopKeyDomain>().Select(d => deid.PseudonymousId(d, id)).ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
        }
    }

    [Fact]
    public void The_offset_is_not_derivable_from_the_person_id_derivation()
    {
        // Domain separation between purposes: a patient's id words and date words come from different messages.
        var deid = TestKeys.Deidentifier();
        var matches = PatientIds.Count(id => deid.PseudonymousId(OmopKeyDomain.Person, id) % 365 == -deid.DateOffsetDays(id) - 1);
        Assert.InRange(matches, 0, 10);
    }
}
