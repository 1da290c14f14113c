using System.Text.Json.Nodes;

namespace Ingestion.Storage.Embedded;

/// <summary>Applies a counter increment at a "/a/b/c" path inside a JSON object (Cosmos DB Patch semantics).</summary>
internal static class JsonPointerIncrement
{
    public static void Apply(JsonObject body, string path, long delta)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/') throw new ArgumentException($"Counter path '{path}' must start with '/'.", nameof(path));
        var segments = path[1..].Split('/');
        var node = body;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (node[segments[i]] is JsonObject child)
            {
                node = child;
            }
            else if (node[segments[i]] is null)
            {
                child = new JsonObject();
                node[segments[i]] = child;
                node = child;
            }
            else
            {
                throw new ArgumentException($"Counter path '{path}' crosses a value that is not an object.", nameof(path));
            }
        }
        var leaf = segments[^1];
        var current = node[leaf] is JsonValue value && value.TryGetValue<long>(out var n) ? n
            : node[leaf] is JsonValue d && d.TryGetValue<double>(out var f) ? (long)f
            : node[leaf] is null ? 0
            : throw new ArgumentException($"Counter path '{path}' does not hold a number.", nameof(path));
        node[leaf] = current + delta;
    }
}
