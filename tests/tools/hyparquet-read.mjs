// Reads Parquet files with hyparquet (a pure-JavaScript reader, independent of DuckDB) and prints, per file, its
// footer facts and rows as canonical text: integers and dates/timestamps exact (days, microseconds), doubles in
// JavaScript's shortest round-trip form, strings decoded as strict UTF-8, null as null.
// Usage: node hyparquet-read.mjs < files.json   (a JSON array of paths)
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { readFileSync } from 'node:fs'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const parsers = {
  timestampFromMilliseconds: v => String(v),
  timestampFromMicroseconds: v => String(v),
  timestampFromNanoseconds: v => String(v),
  dateFromDays: v => String(v),
  stringFromBytes: bytes => bytes && strictUtf8.decode(bytes),
}

function canonical(value) {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  return value
}

const files = JSON.parse(readFileSync(0, 'utf8'))
const result = []
for (const path of files) {
  try {
    const file = await asyncBufferFromFile(path)
    const metadata = await parquetMetadataAsync(file)
    const names = metadata.schema.slice(1).map(s => s.name)
    const objects = await parquetReadObjects({ file, metadata, compressors, parsers })
    result.push({
      path,
      numRows: String(metadata.num_rows),
      createdBy: metadata.created_by ?? null,
      rowGroups: metadata.row_groups.length,
      columns: names,
      rows: objects.map(o => names.map(n => canonical(o[n]))),
    })
  } catch (e) {
    result.push({ path, error: String(e?.message ?? e) })
  }
}
process.stdout.write(JSON.stringify(result))
