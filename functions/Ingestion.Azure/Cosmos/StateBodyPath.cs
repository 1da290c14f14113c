using System.Text.Json.Nodes;

namespace Ingestion.Azure.Cosmos;

/// <summary>Adds a delta at a "/a/b/c" path of a JSON object, creating missing objects and the leaf (IncrementAsync's fallback).</summary>
internal static class StateBodyPath
{
    public static bool ParentExists(JsonObject body, string path)
    {
        var segments = path.Trim('/').Split('/');
        JsonObject current = body;
        foreach (var segment in segments[..^1])
        {
            if (current[segment] is not JsonObject child) return false;
            current = child;
        }
        return true;
    }

    public static void Add(JsonObject body, string path, long delta)
    {
        var segments = path.Trim('/').Split('/');
        var current = body;
        foreach (var segment in segments[..^1])
        {
            if (current[segment] is not JsonObject child)
            {
                child = new JsonObject();
                current[segment] = child;
            }
            current = child;
        }
        var leaf = segments[^1];
        var existing = current[leaf] is JsonValue value && value.TryGetValue<long>(out var number) ? number
            : current[leaf] is JsonValue d && d.TryGetValue<double>(out var real) ? (long)real : 0;
        current[leaf] = existing + delta;
    }
}
