using System.Collections.Immutable;

namespace Ingestion.Privacy;

/// <summary>
/// The three-digit ZIP prefixes whose areas held 20,000 or fewer people in the 2000 Census: HHS's published list
/// (OCR de-identification guidance, 2012, after 67 FR 53182) that Safe Harbor requires to be reported as "000".
/// HHS asks covered entities to use newer Census data where published; this list is the one it published.
/// </summary>
public static class RestrictedZip3
{
    /// <summary>The 17 prefixes, ascending.</summary>
    public static ImmutableArray<string> All { get; } =
        ["036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890", "893"];

    /// <summary>Whether a three-digit prefix is on the list.</summary>
    public static bool Contains(ReadOnlySpan<char> zip3)
    {
        if (zip3.Length != 3 || !char.IsAsciiDigit(zip3[0]) || !char.IsAsciiDigit(zip3[1]) || !char.IsAsciiDigit(zip3[2])) return false;
        var value = (zip3[0] - '0') * 100 + (zip3[1] - '0') * 10 + (zip3[2] - '0');
        return value is 36 or 59 or 63 or 102 or 203 or 556 or 692 or 790 or 821 or 823 or 830 or 831 or 878 or 879
            or 884 or 890 or 893;
    }
}
