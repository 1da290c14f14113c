using System.Text;

namespace Ingestion.Cli.Commands;

/// <summary>A source id for an ad-hoc run (no named source): the URL or folder reduced to letters, digits and '-', since it is part of run ids.</summary>
internal static class SourceIds
{
    public static string From(string location)
    {
        var text = location.Replace("https://", "", StringComparison.OrdinalIgnoreCase).Replace("http://", "", StringComparison.OrdinalIgnoreCase);
        var id = new StringBuilder(text.Length);
        foreach (var c in text) id.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        var trimmed = id.ToString().Trim('-');
        while (trimmed.Contains("--", StringComparison.Ordinal)) trimmed = trimmed.Replace("--", "-", StringComparison.Ordinal);
        return trimmed.Length == 0 ? "source" : trimmed.Length > 60 ? trimmed[^60..].TrimStart('-') : trimmed;
    }
}
