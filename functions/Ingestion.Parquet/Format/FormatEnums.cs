namespace Ingestion.Parquet.Format;

// Enum values of parquet.thrift (apache/parquet-format), restricted to what this writer emits.

internal enum PhysicalType { Boolean = 0, Int32 = 1, Int64 = 2, Double = 5, ByteArray = 6 }

internal enum ConvertedType { Utf8 = 0, Date = 6, TimestampMicros = 10 }

internal enum FieldRepetitionType { Required = 0, Optional = 1 }

internal enum PageEncoding { Plain = 0, Rle = 3, RleDictionary = 8 }

internal enum CompressionCodec { Uncompressed = 0, Snappy = 1, Gzip = 2 }

internal enum PageType { DataPage = 0, DictionaryPage = 2 }
