namespace Ingestion.Privacy.Tests;

public class IntervalPreservationTests
{
    private sealed record Event(string PatientId, string Text, bool IsDateTime);

    /// <summary>Many patients, each with datetimes in assorted zones and plain dates, as a mapper would see them.</summary>
    private static List<Event> Events(int seed, int patients, int eventsPerPatient)
    {
        var random = new Random(seed);
        var events = new List<Event>();
        for (var p = 0; p < patients; p++)
        {
            var patientId = RandomFhirValues.PatientId(random);
            for (var e = 0; e < eventsPerPatient; e++)
            {
                var isDateTime = random.Next(3) != 0;
                events.Add(new Event(patientId, isDateTime ? RandomFhirValues.DateTime(random).Text : RandomFhirValues.Date(random).Text, isDateTime));
            }
        }

        return events;
    }

    [Fact]
    public void Every_datetime_of_a_patient_moves_by_the_same_whole_number_of_days_so_intervals_are_exact()
    {
        var random = new Random(11);
        var deid = TestKeys.Deidentifier();
        for (var p = 0; p < 2000; p++)
        {
            var patientId = RandomFhirValues.PatientId(random);
            var values = Enumerable.Range(0, 12).Select(_ => RandomFhirValues.DateTime(random)).ToList();
            var shifted = values.Select(v => deid.ShiftDateTime(patientId, v.Text)!.Value).ToList();
            var offset = TimeSpan.FromDays(deid.DateOffsetDays(patientId));
            for (var i = 0; i < values.Count; i++)
            {
                Assert.Equal(DateTimeKind.Utc, shifted[i].Kind);
                Assert.Equal(values[i].Utc + offset, shifted[i]);
                for (var j = 0; j < i; j++) Assert.Equal(values[i].Utc - values[j].Utc, shifted[i] - shifted[j]);
            }
        }
    }

    [Fact]
    public void Dates_and_datetimes_of_one_patient_share_the_offset_across_resource_types()
    {
        var random = new Random(12);
        var deid = TestKeys.Deidentifier();
        for (var p = 0; p < 2000; p++)
        {
            var patientId = RandomFhirValues.PatientId(random);
            var (dateText, day) = RandomFhirValues.Date(random);
            var (dateTimeText, utc) = RandomFhirValues.DateTime(random);
            var offset = deid.DateOffsetDays(patientId);

            // A birth date (Patient), an onset date (Condition) and an effective dateTime (Observation).
            var birth = deid.ShiftBirth(patientId, dateText);
            var shiftedDay = deid.ShiftDate(patientId, dateText)!.Value;
            var shiftedDateTime = deid.ShiftDateTime(patientId, dateTimeText)!.Value;

            Assert.Equal(day.AddDays(offset), shiftedDay);
            if (birth.DayOfBirth is not null) Assert.Equal(shiftedDay, new DateOnly(birth.YearOfBirth!.Value, birth.MonthOfBirth!.Value, birth.DayOfBirth.Value));
            Assert.Equal(DateOnly.FromDateTime(utc).DayNumber - day.DayNumber, DateOnly.FromDateTime(shiftedDateTime).DayNumber - shiftedDay.DayNumber);
            // A dateTime read as a date gives the date of the shifted dateTime, so *_date and *_datetime agree.
            Assert.Equal(DateOnly.FromDateTime(shiftedDateTime), deid.ShiftDate(patientId, dateTimeText));
        }
    }

    [Fact]
    public void Files_processed_in_any_order_by_any_instance_on_any_thread_give_identical_results()
    {
        var events = Events(seed: 13, patients: 500, eventsPerPatient: 20);
        var reference = Shift(TestKeys.Deidentifier(), events);

        // Another "worker": a new instance, the events in reverse order.
        var reversed = events.AsEnumerable().Reverse().ToList();
        Assert.Equal(reference, Shift(TestKeys.Deidentifier(), reversed));

        // Several "files" processed concurrently by one shared instance.
        var shared = TestKeys.Deidentifier();
        var shuffled = events.OrderBy(_ => Random.Shared.Next()).ToList();
        var concurrent = new System.Collections.Concurrent.ConcurrentDictionary<Event, DateTime?>();
        Parallel.ForEach(shuffled.Chunk(97), new ParallelOptions { MaxDegreeOfParallelism = 4 }, file =>
        {
            foreach (var e in file) concurrent[e] = ShiftOne(shared, e);
        });
        Assert.Equal(reference, new Dictionary<Event, DateTime?>(concurrent));
    }

    private static Dictionary<Event, DateTime?> Shift(KeyedDeidentifier deid, IEnumerable<Event> events)
    {
        var result = new Dictionary<Event, DateTime?>();
        foreach (var e in events) result[e] = ShiftOne(deid, e);
        return result;
    }

    private static DateTime? ShiftOne(KeyedDeidentifier deid, Event e) => e.IsDateTime
        ? deid.ShiftDateTime(e.PatientId, e.Text)
        : deid.ShiftDate(e.PatientId, e.Text)?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    [Fact]
    public void Dropping_the_time_of_day_keeps_the_shifted_UTC_date()
    {
        var keep = TestKeys.Deidentifier();
        var drop = TestKeys.Deidentifier(dropTime: true);
        var shifted = keep.ShiftDateTime("p1", "2024-03-01T20:30:00-05:00")!.Value;
        var dropped = drop.ShiftDateTime("p1", "2024-03-01T20:30:00-05:00")!.Value;
        Assert.Equal(shifted.Date, dropped);
        Assert.Equal(TimeSpan.Zero, dropped.TimeOfDay);
        // 20:30 at -05:00 is 01:30 UTC on 2 March: the day is counted in UTC before shifting.
        Assert.Equal(new DateTime(2024, 3, 2, 1, 30, 0, DateTimeKind.Utc).AddDays(keep.DateOffsetDays("p1")), shifted);
    }
}
