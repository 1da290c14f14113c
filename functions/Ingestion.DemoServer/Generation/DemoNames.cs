namespace Ingestion.DemoServer;

/// <summary>Plain ASCII name and place lists for synthetic people and organizations (ASCII keeps byte offsets simple).</summary>
internal static class DemoNames
{
    public static readonly string[] Family = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Nguyen", "Kim", "Patel", "Walker", "Young", "Allen", "King", "Wright"];
    public static readonly string[] GivenFemale = ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Maria", "Susan", "Aisha", "Mei", "Priya", "Sofia", "Emma"];
    public static readonly string[] GivenMale = ["James", "Robert", "John", "Michael", "David", "William", "Jose", "Wei", "Raj", "Ahmed", "Liam", "Noah"];
    public static readonly string[] Streets = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Park Blvd", "Lake Rd", "Hill St"];
    public static readonly (string City, string State, string Zip3)[] Cities =
    [
        ("Boston", "MA", "021"), ("Springfield", "MA", "011"), ("Worcester", "MA", "016"), ("Hartford", "CT", "061"),
        ("Providence", "RI", "029"), ("Newark", "NJ", "071"), ("Albany", "NY", "122"), ("Burlington", "VT", "054"),
    ];
    public static readonly string[] OrganizationNames = ["General Hospital", "Community Medical Center", "Family Health Clinic", "Regional Medical Group"];
}
