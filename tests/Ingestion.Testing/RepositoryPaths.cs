namespace Ingestion.Testing;

/// <summary>Locates the repository root, the npm stand-ins and the shared reference data from a test's bin folder.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ingestion.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Ingestion.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepositoryRoot => Root.Value;

    /// <summary>tests/tools, where test.sh installed the npm stand-ins (npm ci).</summary>
    public static string ToolsDirectory
    {
        get
        {
            var tools = Path.Combine(RepositoryRoot, "tests", "tools");
            if (!Directory.Exists(Path.Combine(tools, "node_modules")))
                throw new InvalidOperationException($"The npm stand-ins are not installed: run ./test.sh (or 'npm ci' in {tools}).");
            return tools;
        }
    }

    /// <summary>Binary of an npm package installed in tests/tools (e.g. "azurite").</summary>
    public static string NodeBin(string name)
    {
        var path = Path.Combine(ToolsDirectory, "node_modules", ".bin", name);
        if (!File.Exists(path)) throw new InvalidOperationException($"npm stand-in '{name}' not found at {path}: run ./test.sh.");
        return path;
    }
}

/// <summary>
/// The public reference data in ../shared/data (INGESTION_SHARED_DATA overrides). Conformance tests need it and
/// fail loudly without it; test.sh excludes them (and says so) when the folder is absent.
/// </summary>
public static class SharedData
{
    public static string? TryRoot()
    {
        var env = Environment.GetEnvironmentVariable("INGESTION_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        var candidate = Path.GetFullPath(Path.Combine(RepositoryPaths.RepositoryRoot, "..", "shared", "data"));
        return Directory.Exists(candidate) ? candidate : null;
    }

    public static string Root => TryRoot()
        ?? throw new InvalidOperationException("../shared/data is absent: conformance tests need it (set INGESTION_SHARED_DATA or run them where it exists).");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}

/// <summary>Marks a test as part of the conformance suite (needs ../shared/data): [Trait("Category", "Conformance")].</summary>
public static class TestCategories
{
    public const string Conformance = "Conformance";
}
