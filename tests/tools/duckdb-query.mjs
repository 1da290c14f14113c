// Runs SQL statements with DuckDB and prints the last statement's rows as JSON on stdout.
// Usage: node duckdb-query.mjs "<sql>"   (or SQL on stdin when no argument is given)
// BigInts print as strings, dates/timestamps as ISO strings, so .NET can parse them exactly.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const sql = process.argv[2] ?? readFileSync(0, 'utf8');
const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', threads: process.env.DUCKDB_THREADS ?? '1' });
const connection = await instance.connect();
try {
  const reader = await connection.runAndReadAll(sql);
  const columns = reader.columnNames();
  const types = reader.columnTypes().map(t => t.toString());
  const rows = reader.getRowsJson();
  process.stdout.write(JSON.stringify({ columns, types, rows }));
} catch (e) {
  process.stderr.write(String(e?.message ?? e));
  process.exitCode = 1;
} finally {
  connection.closeSync?.();
}
