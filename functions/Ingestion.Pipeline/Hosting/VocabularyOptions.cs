namespace Ingestion.Pipeline.Hosting;

/// <summary>Section "Vocabulary": the compiled vocabulary file (<c>vocab build</c>); none = the small starter vocabulary.</summary>
public sealed class VocabularyOptions
{
    public const string SectionName = "Vocabulary";

    public string? Path { get; set; }
}
