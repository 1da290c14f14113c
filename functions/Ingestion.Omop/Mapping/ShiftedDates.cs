using Ingestion.Fhir.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// The dates a file repeats per patient (an encounter's observations share its time), remembered by the patient and
/// the value's raw UTF-8 text with their shifted result. A repeat then costs a comparison of those bytes instead of a
/// date string, its parse and the patient's offset lookup; a new date of the patient before costs its parse only (the
/// patient's <see cref="PatientDateShift"/> is kept: a file's resources come grouped by patient). The result is the
/// same as <see cref="Shift"/>: a pure function of the de-identifier, the patient and the text. A few slots, reused in
/// turn: memory is fixed. One per file (<see cref="MappedRows"/>); not thread-safe.
/// </summary>
// The text widened on the stack is written before it is read: not zeroed per date.
[SkipLocalsInit]
internal sealed class ShiftedDates
{
    private const int SlotCount = 8;
    // Longer values (never valid dates) are shifted every time rather than held.
    private const int MaxRawBytes = 64;

    private readonly Slot[] _slots = new Slot[SlotCount];
    private IDeidentifier? _deidentifier;
    private int _next;
    // The last patient whose date was shifted here, by this de-identifier.
    private PatientDateShift _patient;

    public ShiftedDates()
    {
        for (var i = 0; i < SlotCount; i++) _slots[i] = new Slot();
    }

    /// <summary><see cref="Shift"/> of a string value, remembered by its raw text.</summary>
    public bool TryShift(IDeidentifier deidentifier, string patientId, ResourceElement value, out DateOnly date, out DateTime? dateTime)
    {
        var raw = value.RawUtf8[1..^1];
        // Escaped or non-ASCII text is decoded as it is and never a valid date: shifted as it is.
        if (raw.Length > MaxRawBytes || !Ascii.IsValid(raw) || raw.Contains((byte)'\\'))
            return Shift(deidentifier, patientId, value.GetString(), out date, out dateTime);
        if (!ReferenceEquals(deidentifier, _deidentifier))
        {
            // Results are the de-identifier's: another one starts afresh.
            foreach (var slot in _slots) slot.Patient = null;
            (_deidentifier, _patient) = (deidentifier, default);
        }
        foreach (var slot in _slots)
        {
            if (slot.Length == raw.Length && slot.Patient is not null && (ReferenceEquals(slot.Patient, patientId) || slot.Patient == patientId)
                && raw.SequenceEqual(slot.Raw.AsSpan(0, slot.Length)))
            {
                (date, dateTime) = (slot.Date, slot.DateTime);
                return slot.Valid;
            }
        }
        // The text is ASCII: widened on the stack, no string made for it.
        Span<char> text = stackalloc char[MaxRawBytes];
        var valid = Shift(deidentifier, raw.IsEmpty ? new PatientDateShift(patientId) : DateShiftOf(deidentifier, patientId),
            text[..Encoding.ASCII.GetChars(raw, text)], out date, out dateTime);
        var fill = _slots[_next++ % SlotCount];
        raw.CopyTo(fill.Raw);
        (fill.Length, fill.Patient, fill.Valid, fill.Date, fill.DateTime) = (raw.Length, patientId, valid, date, dateTime);
        return valid;
    }

    /// <summary>The patient's shift, derived again only when the patient changes.</summary>
    private PatientDateShift DateShiftOf(IDeidentifier deidentifier, string patientId)
    {
        if (_patient.PatientLogicalId is not { } last || !(ReferenceEquals(last, patientId) || last == patientId))
            _patient = deidentifier.DateShiftOf(patientId);
        return _patient;
    }

    /// <summary>Shifts a FHIR date/dateTime. With a time of day the datetime is UTC and the date is its UTC calendar
    /// day (so *_date always equals the date of *_datetime); a date-only value gives the date and no datetime.</summary>
    public static bool Shift(IDeidentifier deidentifier, string patientId, string? value, out DateOnly date, out DateTime? dateTime) =>
        Shift(deidentifier, patientId, value.AsSpan(), out date, out dateTime);

    private static bool Shift(IDeidentifier deidentifier, string patientId, ReadOnlySpan<char> value, out DateOnly date, out DateTime? dateTime) =>
        Shift(deidentifier, new PatientDateShift(patientId), value, out date, out dateTime);

    private static bool Shift(IDeidentifier deidentifier, in PatientDateShift patient, ReadOnlySpan<char> value, out DateOnly date, out DateTime? dateTime)
    {
        dateTime = null;
        date = default;
        if (value.IsEmpty) return false;
        if (value.Length > 10)
        {
            dateTime = deidentifier.ShiftDateTime(patient, value);
            if (dateTime is not { } utc) return false;
            date = DateOnly.FromDateTime(utc);
            return true;
        }
        var shifted = deidentifier.ShiftDate(patient, value);
        if (shifted is null) return false;
        date = shifted.Value;
        return true;
    }

    private sealed class Slot
    {
        public readonly byte[] Raw = new byte[MaxRawBytes];
        public int Length;
        public string? Patient;
        public bool Valid;
        public DateOnly Date;
        public DateTime? DateTime;
    }
}
