using System.Text.Json;

namespace Ingestion.Omop.Tests;

/// <summary>
/// The file's memo of repeated dates (<see cref="ShiftedDates"/>): every value shifts, the first time and on every
/// repeat, as the de-identifier shifts its string for that patient; invalid values stay invalid.
/// </summary>
public class ShiftedDatesTests
{
    [Theory]
    [InlineData("2010-09-06T15:38:27-04:00")]
    [InlineData("2010-09-06T15:38:27.139-04:00")]
    [InlineData("2010-09-06")]
    [InlineData("2010-09")]
    [InlineData("2010")]
    [InlineData("2010-13-01")] // no such month
    [InlineData("2010-09-06T25:00:00Z")] // no such hour
    [InlineData("not a date")]
    [InlineData("")]
    [InlineData("2010\\u002D09-06")] // escaped
    [InlineData("2010-09-0\u0666")] // a non-ASCII digit
    public void A_date_shifts_as_the_deidentifier_shifts_its_text_for_each_patient_every_time(string json)
    {
        var deidentifier = new FakeDeidentifier();
        var memo = new ShiftedDates();
        var value = Fhir.Parse($$"""{"v":"{{json}}"}""").GetProperty("v");
        var patients = new[] { "p1", "p2", "p3" };
        var expected = patients.Select(p => (Valid: ShiftedDates.Shift(deidentifier, p, value.GetString(), out var d, out var t), d, t)).ToArray();

        for (var pass = 0; pass < 3; pass++)
        {
            for (var i = 0; i < patients.Length; i++)
            {
                // A patient id equal to the remembered one need not be the same string instance.
                var valid = memo.TryShift(deidentifier, new string(patients[i]), value, out var date, out var dateTime);
                Assert.Equal(expected[i], (valid, date, dateTime));
            }
        }
    }

    [Fact]
    public void The_same_text_for_two_patients_gives_each_their_own_shift()
    {
        var deidentifier = new FakeDeidentifier();
        var (a, b) = Patients(deidentifier);
        var memo = new ShiftedDates();
        var value = Fhir.Parse("""{"v":"2010-09-06"}""").GetProperty("v");

        memo.TryShift(deidentifier, a, value, out var first, out _);
        memo.TryShift(deidentifier, b, value, out var second, out _);

        Assert.Equal(new DateOnly(2010, 9, 6).AddDays(deidentifier.DateOffsetDays(a)), first);
        Assert.Equal(new DateOnly(2010, 9, 6).AddDays(deidentifier.DateOffsetDays(b)), second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void More_dates_than_slots_interleaved_and_another_deidentifier_give_that_ones_shifts()
    {
        var memo = new ShiftedDates();
        var values = Enumerable.Range(0, 40).Select(i => Fhir.Parse($$"""{"v":"2010-01-{{1 + i % 28:D2}}T0{{i % 10}}:00:00Z"}""").GetProperty("v")).ToArray();
        foreach (var deidentifier in new IDeidentifierPair[] { new(new FakeDeidentifier()), new(new ShiftedByOneMore()) })
        {
            for (var pass = 0; pass < 2; pass++)
            {
                foreach (var value in values)
                {
                    var expected = ShiftedDates.Shift(deidentifier.Value, "p1", value.GetString(), out var date, out var dateTime);
                    Assert.Equal((expected, date, dateTime), (memo.TryShift(deidentifier.Value, "p1", value, out var d, out var t), d, t));
                }
            }
        }
    }

    [Fact]
    public void Patients_in_runs_and_interleaved_get_the_keyed_deidentifiers_shift_of_every_date()
    {
        // The memo keeps the last patient's shift (PatientDateShift): runs of one patient, switches, and a return.
        var keyed = new Ingestion.Privacy.KeyedDeidentifier(new Ingestion.Privacy.DeidentificationOptions
        {
            Key = Ingestion.Privacy.DeidentificationKey.Ephemeral(), ReferenceDate = new DateOnly(2026, 1, 1),
        });
        var memo = new ShiftedDates();
        var random = new Random(7);
        var patients = new[] { "p1", "p2", "p3" };
        for (var i = 0; i < 300; i++)
        {
            var patient = new string(patients[i / 7 % 2 == 0 ? i / 21 % 3 : random.Next(3)]);
            var text = random.Next(4) switch
            {
                0 => $"20{random.Next(10, 24)}-{random.Next(1, 13):D2}",
                1 => $"20{random.Next(10, 24)}-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}",
                2 => $"20{random.Next(10, 24)}-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}T{random.Next(24):D2}:15:00-05:00",
                _ => $"20{random.Next(10, 24)}",
            };
            var value = Fhir.Parse($$"""{"v":"{{text}}"}""").GetProperty("v");
            var expected = ShiftedDates.Shift(keyed, patient, text, out var date, out var dateTime);
            Assert.Equal((expected, date, dateTime), (memo.TryShift(keyed, patient, value, out var d, out var t), d, t));
        }
    }

    private static (string, string) Patients(FakeDeidentifier deidentifier)
    {
        // Two patients with different offsets.
        var ids = Enumerable.Range(0, 100).Select(i => "p" + i).ToArray();
        var a = ids[0];
        return (a, ids.First(id => deidentifier.DateOffsetDays(id) != deidentifier.DateOffsetDays(a)));
    }

    private sealed record IDeidentifierPair(Ingestion.Privacy.IDeidentifier Value);

    /// <summary>The fake's shifts one day further back: another de-identifier's results for the same text.</summary>
    private sealed class ShiftedByOneMore : Ingestion.Privacy.IDeidentifier
    {
        private readonly FakeDeidentifier _fake = new();
        public string KeyFingerprint => "fake+1";
        public long PseudonymousId(Ingestion.Privacy.OmopKeyDomain domain, string logicalId) => _fake.PseudonymousId(domain, logicalId);
        public int DateOffsetDays(string patientLogicalId) => _fake.DateOffsetDays(patientLogicalId) - 1;
        public DateOnly? ShiftDate(string patientLogicalId, string fhirDate) => _fake.ShiftDate(patientLogicalId, fhirDate)?.AddDays(-1);
        public DateTime? ShiftDateTime(string patientLogicalId, string fhirDateTime) => _fake.ShiftDateTime(patientLogicalId, fhirDateTime)?.AddDays(-1);
        public Ingestion.Privacy.ShiftedBirth ShiftBirth(string patientLogicalId, string fhirBirthDate) => _fake.ShiftBirth(patientLogicalId, fhirBirthDate);
        public string? GeneralizeZip(string? postalCode) => _fake.GeneralizeZip(postalCode);
    }
}
