namespace Ingestion.Parquet;

/// <summary>Page compression codecs. ZSTD is not offered: no ZSTD codec restores in this build environment (docs/parquet.md).</summary>
public enum ParquetCompression { Uncompressed, Snappy, Gzip }
