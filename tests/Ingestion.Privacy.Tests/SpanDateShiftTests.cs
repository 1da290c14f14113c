namespace Ingestion.Privacy.Tests;

/// <summary>
/// The mapper shifts dates read from the JSON's bytes without making strings of them: the text overloads give the
/// same result as the string ones for every kind of value (full, partial, invalid), every configuration, and from
/// another instance.
/// </summary>
public class SpanDateShiftTests
{
    public static TheoryData<bool, bool> Configurations => new() { { false, false }, { true, false }, { false, true } };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Text_shifts_as_the_same_string_does(bool strict, bool dropTime)
    {
        var random = new Random(19);
        var values = new List<string> { "2015", "2016-02", "2016-02-29", "2015-02-29", "2010-13-01", "2010-09-06T25:00:00Z", "not a date", "", "0000" };
        for (var i = 0; i < 200; i++)
        {
            values.Add(RandomFhirValues.DateTime(random).Text);
            values.Add(RandomFhirValues.DateTime(random).Text[..10]);
        }
        var deid = TestKeys.Deidentifier(strict: strict, dropTime: dropTime);
        var other = TestKeys.Deidentifier(strict: strict, dropTime: dropTime);
        for (var p = 0; p < 20; p++)
        {
            var patient = RandomFhirValues.PatientId(random);
            foreach (var value in values)
            {
                var text = value.ToCharArray().AsSpan();
                Assert.Equal(deid.ShiftDate(patient, value), deid.ShiftDate(patient, (ReadOnlySpan<char>)text));
                Assert.Equal(deid.ShiftDateTime(patient, value), deid.ShiftDateTime(patient, (ReadOnlySpan<char>)text));
                Assert.Equal(deid.ShiftDateTime(patient, value), other.ShiftDateTime(patient, (ReadOnlySpan<char>)text));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_patients_shift_derived_once_shifts_every_date_as_the_patients_id_does(bool strict, bool dropTime)
    {
        var random = new Random(23);
        var values = new List<string> { "2015", "2016-02", "2016-02-29", "2015-02-29", "2010-13-01", "0001-01-01", "9999-12-31T23:59:59Z", "not a date", "" };
        for (var i = 0; i < 200; i++)
        {
            values.Add(RandomFhirValues.DateTime(random).Text);
            values.Add(RandomFhirValues.DateTime(random).Text[..10]);
            values.Add(RandomFhirValues.DateTime(random).Text[..7]);
        }
        var deid = TestKeys.Deidentifier(strict: strict, dropTime: dropTime);
        var other = TestKeys.Deidentifier(strict: strict, dropTime: dropTime);
        for (var p = 0; p < 20; p++)
        {
            var patient = RandomFhirValues.PatientId(random);
            var shift = deid.DateShiftOf(patient);
            var otherShift = other.DateShiftOf(patient);
            foreach (var value in values)
            {
                Assert.Equal(deid.ShiftDate(patient, value), deid.ShiftDate(shift, value));
                Assert.Equal(deid.ShiftDateTime(patient, value), deid.ShiftDateTime(shift, value));
                Assert.Equal(deid.ShiftDateTime(patient, value), other.ShiftDateTime(otherShift, value));
            }
        }
    }

    [Fact]
    public void A_shift_from_another_deidentifier_or_none_is_resolved_by_its_patients_id()
    {
        var deid = TestKeys.Deidentifier();
        var other = TestKeys.Deidentifier(maxShiftDays: 30);
        var foreign = other.DateShiftOf("p1");
        Assert.Equal(deid.ShiftDateTime("p1", "2010-09-06T15:38:27-04:00"), deid.ShiftDateTime(foreign, "2010-09-06T15:38:27-04:00"));
        Assert.Equal(deid.ShiftDate("p1", "2010-09"), deid.ShiftDate(new PatientDateShift("p1"), "2010-09"));
        IDeidentifier wrapper = new StringsOnly(deid);
        Assert.Equal(deid.ShiftDate("p1", "2010-09-06"), wrapper.ShiftDate(wrapper.DateShiftOf("p1"), "2010-09-06"));
    }

    [Fact]
    public void An_implementation_without_text_overloads_shifts_text_through_its_string_methods()
    {
        IDeidentifier inner = TestKeys.Deidentifier();
        IDeidentifier wrapper = new StringsOnly(inner);
        Assert.Equal(inner.ShiftDateTime("p1", "2010-09-06T15:38:27-04:00"), wrapper.ShiftDateTime("p1", "2010-09-06T15:38:27-04:00".AsSpan()));
        Assert.Equal(inner.ShiftDate("p1", "2010-09"), wrapper.ShiftDate("p1", "2010-09".AsSpan()));
    }

    private sealed class StringsOnly(IDeidentifier inner) : IDeidentifier
    {
        public string KeyFingerprint => inner.KeyFingerprint;
        public long PseudonymousId(OmopKeyDomain domain, string logicalId) => inner.PseudonymousId(domain, logicalId);
        public int DateOffsetDays(string patientLogicalId) => inner.DateOffsetDays(patientLogicalId);
        public DateOnly? ShiftDate(string patientLogicalId, string fhirDate) => inner.ShiftDate(patientLogicalId, fhirDate);
        public DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime) => inner.ShiftDateTime(patientLogicalId, fhirDateTime);
        public ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate) => inner.ShiftBirth(patientLogicalId, fhirBirthDate);
        public string? GeneralizeZip(string? postalCode) => inner.GeneralizeZip(postalCode);
    }
}
