namespace Ingestion.Pipeline.Publishing;

/// <summary>What the commit manifest records about how a run was made (no secrets: a key fingerprint, not the key).</summary>
public sealed record RunProvenance(string CdmVersion, string VocabularyVersion, string DeidentificationKeyFingerprint, bool EphemeralKey);
