namespace Ingestion.DemoServer;

/// <summary>The organizations, locations and practitioners every patient's encounters refer to.</summary>
internal sealed class SharedResources
{
    private readonly int _contentSeed;
    public string[] Organizations { get; }
    public string[] Locations { get; }
    public string[] Practitioners { get; }

    private static readonly DateTimeOffset LastUpdated = SyntheticPatientGenerator.Anchor - TimeSpan.FromDays(4000);

    public SharedResources(SyntheticPatientGenerator generator, Random rng)
    {
        Organizations = Ids(rng, generator.OrganizationCount);
        Locations = Ids(rng, generator.LocationCount);
        Practitioners = Ids(rng, generator.PractitionerCount);
        _contentSeed = rng.Next();
    }

    public IEnumerable<PlannedResource> Plan()
    {
        for (var i = 0; i < Organizations.Length; i++)
        {
            var index = i;
            yield return new PlannedResource("Organization", "us-core-organization", Organizations[i], null, null, LastUpdated, _contentSeed + i, (w, rng) =>
            {
                var city = DemoNames.Cities[index % DemoNames.Cities.Length];
                w.Identifier("http://hl7.org/fhir/sid/us-npi", Npi(rng));
                w.Json.WriteBoolean("active", true);
                w.Json.WriteString("name", $"{city.City} {DemoNames.OrganizationNames[index % DemoNames.OrganizationNames.Length]}");
                w.Phone(Phone(rng));
                w.Address($"{rng.Next(1, 999)} {DemoNames.Streets[rng.Next(DemoNames.Streets.Length)]}", city.City, city.State, city.Zip3 + rng.Next(10, 99));
            });
        }
        for (var i = 0; i < Locations.Length; i++)
        {
            var index = i;
            yield return new PlannedResource("Location", "us-core-location", Locations[i], null, null, LastUpdated, _contentSeed + 1000 + i, (w, rng) =>
            {
                var city = DemoNames.Cities[index % DemoNames.Cities.Length];
                w.Json.WriteString("status", "active");
                w.Json.WriteString("name", $"{city.City} Outpatient Building {index + 1}");
                w.Phone(Phone(rng));
                w.Address($"{rng.Next(1, 999)} {DemoNames.Streets[rng.Next(DemoNames.Streets.Length)]}", city.City, city.State, city.Zip3 + rng.Next(10, 99), single: true);
                w.Reference("managingOrganization", "Organization/" + Organizations[index % Organizations.Length]);
            });
        }
        for (var i = 0; i < Practitioners.Length; i++)
        {
            yield return new PlannedResource("Practitioner", "us-core-practitioner", Practitioners[i], null, null, LastUpdated, _contentSeed + 2000 + i, (w, rng) =>
            {
                w.Identifier("http://hl7.org/fhir/sid/us-npi", Npi(rng));
                var female = rng.Next(2) == 0;
                w.HumanName(Pick(rng, DemoNames.Family), Pick(rng, female ? DemoNames.GivenFemale : DemoNames.GivenMale), "Dr.");
            });
        }
    }

    public static string Npi(Random rng) => "1" + rng.Next(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
    public static string Phone(Random rng) => $"555-{rng.Next(200, 999)}-{rng.Next(1000, 9999)}";
    public static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static string[] Ids(Random rng, int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++) ids[i] = SyntheticPatientGenerator.NewId(rng);
        return ids;
    }
}
