using System.Globalization;

namespace Ingestion.Privacy.Tests;

/// <summary>
/// Known PHI goes into every method, in every string parameter; none of it, nor the key, may come back in any
/// output or any exception message.
/// </summary>
public class PhiCanaryTests
{
    private static readonly string[] Phi =
    [
        "Jane Canary-Doe", "MRN-00417755", "123-45-6789", "+1 (617) 555-0143", "jane.canary@example.org",
        "42 Wallaby Way", "02139-4307", "02139", "1951-03-07", "1951-03-07T08:15:00-05:00",
        "Patient reports chest pain after the canary incident", "urn:oid:2.16.840.1.113883.4.1|123456789",
    ];

    [Fact]
    public void No_PHI_or_key_appears_in_any_output_or_exception()
    {
        var outputs = new List<string>();
        foreach (var options in Variants())
        {
            var deid = new KeyedDeidentifier(options);
            outputs.Add(deid.KeyFingerprint);
            outputs.Add(options.ToString());
            foreach (var phi in Phi)
            {
                foreach (var other in Phi)
                {
                    Capture(outputs, () => deid.ShiftDate(phi, other)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    Capture(outputs, () => deid.ShiftDateTime(phi, other)?.ToString("O", CultureInfo.InvariantCulture));
                    Capture(outputs, () => deid.ShiftBirth(phi, other).ToString());
                }

                Capture(outputs, () => deid.DateOffsetDays(phi).ToString(CultureInfo.InvariantCulture));
                Capture(outputs, () => deid.GeneralizeZip(phi));
                foreach (var domain in Enum.GetValues<OmopKeyDomain>())
                    Capture(outputs, () => deid.PseudonymousId(domain, phi).ToString(CultureInfo.InvariantCulture));
                Capture(outputs, () => deid.ShiftDate("", phi)?.ToString());
                Capture(outputs, () => deid.PseudonymousId((OmopKeyDomain)99, phi).ToString(CultureInfo.InvariantCulture));
            }
        }

        // Keys that are PHI-bearing or malformed: the errors must not echo them.
        foreach (var phi in Phi) Capture(outputs, () => new KeyedDeidentifier(new DeidentificationOptions { Key = phi }).KeyFingerprint);
        Capture(outputs, () =>
        {
            new ReidentificationCrosswalk(new MemoryStream()).RecordAsync(OmopKeyDomain.Person, Phi[0] + "\n", 1, CancellationToken.None).GetAwaiter().GetResult();
            return "";
        });

        Assert.True(outputs.Count > 1000);
        foreach (var output in outputs)
        {
            Assert.DoesNotContain(TestKeys.Primary, output);
            foreach (var phi in Phi) Assert.False(output.Contains(phi, StringComparison.OrdinalIgnoreCase), $"PHI canary #{Array.IndexOf(Phi, phi)} leaked");
        }

        // The canary would fire: the exact birth date is what an unshifted output would have printed.
        Assert.Contains(outputs, o => o.StartsWith("1951-", StringComparison.Ordinal) || o.StartsWith("1950-", StringComparison.Ordinal) || o.StartsWith("1952-", StringComparison.Ordinal));
    }

    private static IEnumerable<DeidentificationOptions> Variants()
    {
        var baseline = new DeidentificationOptions { Key = TestKeys.Primary, ReferenceDate = TestKeys.Reference };
        yield return baseline;
        yield return baseline with { StrictSafeHarbor = true };
        yield return baseline with { DropTimeOfDay = true };
        yield return baseline with { AggregateAgesOver89 = false, MaxShiftDays = 1 };
    }

    private static void Capture(List<string> outputs, Func<string?> action)
    {
        try
        {
            outputs.Add(action() ?? "");
        }
        catch (Exception e)
        {
            outputs.Add(e.ToString());
        }
    }
}
