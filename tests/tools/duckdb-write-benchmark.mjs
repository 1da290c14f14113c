// DuckDB side of the parquet-write benchmark: builds the measurement-shaped table in memory from range() with the
// same formulas as ParquetWriteBenchmark.cs, then times only COPY ... TO parquet (threads = 1) per compression.
// Usage: node duckdb-write-benchmark.mjs <rows> <runs> <outDir> <compression,...>
import { DuckDBInstance } from '@duckdb/node-api'
import { statSync } from 'node:fs'
import { join } from 'node:path'

const [rows, runs, outDir, compressions] = [BigInt(process.argv[2]), Number(process.argv[3]), process.argv[4], process.argv[5].split(',')]
const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', threads: '1' })
const connection = await instance.connect()
await connection.run(`
  CREATE TABLE measurement AS
  SELECT
    i + 1 AS measurement_id,
    1 + (i * 7919) % 250000 AS person_id,
    CAST(3000000 + i % 400 AS INTEGER) AS measurement_concept_id,
    DATE '2015-01-01' + CAST(i % 3650 AS INTEGER) AS measurement_date,
    CASE WHEN i % 10 = 0 THEN NULL ELSE to_timestamp(0) + to_microseconds(1420070400000000 + i * 61000000) END AS measurement_datetime,
    CASE WHEN i % 7 = 0 THEN NULL ELSE CAST((i * 37) % 10000 AS DOUBLE) / 100 END AS value_as_number,
    CASE WHEN i % 13 = 0 THEN NULL ELSE ['mg/dL', 'mmol/L', '%', 'g/L', '10*3/uL', 'mm[Hg]', 'kg', 'cm'][i % 8 + 1] END AS unit_source_value,
    'LOINC:' || CAST(1000 + i % 500 AS VARCHAR) AS measurement_source_value
  FROM range(${rows}) r(i)`)
const results = []
for (const compression of compressions) {
  const file = join(outDir, `duckdb-${compression}.parquet`)
  const millis = []
  for (let run = 0; run < runs; run++) {
    const start = performance.now()
    await connection.run(`COPY measurement TO '${file}' (FORMAT parquet, COMPRESSION ${compression})`)
    millis.push(performance.now() - start)
  }
  results.push({ compression, millis, bytes: statSync(file).size, file })
}
process.stdout.write(JSON.stringify(results))
