namespace Ingestion.Storage;

/// <summary>The path rule every <see cref="ILake"/> enforces: relative, '/'-separated, no empty, "." or ".." segment.</summary>
public static class LakePath
{
    /// <summary>Checks without splitting into strings: it runs on every lake call.</summary>
    public static bool IsValid(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty) return false;
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty || segment is "." or "..") return false;
        }
        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a path that breaks the rule (an absolute one, "a//b", "../x").</summary>
    public static void Validate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!IsValid(path))
        {
            throw new ArgumentException($"Invalid lake path '{path}': use relative '/'-separated segments without '.', '..' or empty parts.", nameof(path));
        }
    }
}
