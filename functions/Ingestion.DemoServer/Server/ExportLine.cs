namespace Ingestion.DemoServer;

/// <summary>One line offered to an export: its type, bytes (no newline), owner patient and lastUpdated when known.</summary>
internal readonly record struct ExportLine(string ResourceType, ReadOnlyMemory<byte> Bytes, string? PatientId, DateTimeOffset? LastUpdated);
