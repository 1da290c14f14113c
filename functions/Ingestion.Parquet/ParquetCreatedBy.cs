using System.Reflection;

namespace Ingestion.Parquet;

/// <summary>
/// The footer's created_by: "&lt;application&gt; version &lt;x.y.z&gt; (build &lt;hash&gt;)", the form parquet-mr's
/// VersionParser and Arrow's ApplicationVersion parse. An unparseable string makes parquet-mr distrust binary
/// statistics; an application name other than parquet-mr / parquet-cpp / impala keeps readers from applying
/// their legacy-writer workarounds.
/// </summary>
internal static class ParquetCreatedBy
{
    public const string Application = "ingestion-parquet";
    public const string Version = "1.0.0";

    public static string Value { get; } = $"{Application} version {Version} (build {Build()})";

    // The SDK stamps the commit into InformationalVersion as "version+sha" when it builds from git.
    private static string Build()
    {
        var informational = typeof(ParquetCreatedBy).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var plus = informational?.IndexOf('+') ?? -1;
        var build = plus >= 0 ? informational![(plus + 1)..] : "unknown";
        return build.Replace("(", "").Replace(")", "").Trim() is { Length: > 0 } clean ? clean : "unknown";
    }
}
