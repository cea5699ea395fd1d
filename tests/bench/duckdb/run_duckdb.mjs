// DuckDB side of the benchmark (tests/bench/duckdb/bench.sh). Modes:
//   load DB EXPORT_DIR REFERENCE_DIR         store rows + reference data into DuckDB tables (untimed)
//   tt   DB THREADS Y0 Y1 OUT.json           the tt-averages SQL; writes the national cells and medians
//   csv  DB THREADS DATA_DIR                 read_csv of every CSV file of DATA_DIR into a table
// Prints "duckdb <mode> <seconds> s" measured around the SQL only (the process start, opening the
// database and the JSON output are outside; bench.sh also times the whole process).
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [mode, db, ...args] = process.argv.slice(2);

function statements(file, vars) {
  let sql = fs.readFileSync(path.join(here, file), 'utf8');
  for (const [k, v] of Object.entries(vars)) sql = sql.replaceAll(`{${k}}`, v);
  // Statements end with ";" at the end of a line; comments are whole lines.
  return sql.split(/;\s*\n/).map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter((s) => s.length > 0);
}

const instance = await DuckDBInstance.create(db, mode === 'load' ? {} : { threads: String(args[0]) });
const con = await instance.connect();
const t0 = process.hrtime.bigint();
const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;

if (mode === 'load') {
  const [exportDir, referenceDir] = args;
  for (const s of statements('load_store_rows.sql', { EXPORT: exportDir, REFERENCE: referenceDir })) await con.run(s);
  console.log(`duckdb load ${seconds().toFixed(2)} s`);
} else if (mode === 'tt') {
  const [, y0, y1, out] = args;
  const steps = [];
  for (const s of statements('tt_averages.sql', { Y0: y0, Y1: y1 })) {
    const before = seconds();
    await con.run(s);
    steps.push(`${s.match(/TABLE (\w+)/)?.[1] ?? '?'} ${(seconds() - before).toFixed(2)} s`);
  }
  const elapsed = seconds();
  console.error(`duckdb statements: ${steps.join('; ')}`);
  const json = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
  const cells = await json(`SELECT * FROM tt_cells WHERE level = 'national' ORDER BY all_descriptors, descriptor, all_bands, band`);
  const medians = await json(`SELECT * FROM tt_medians ORDER BY descriptor`);
  const descriptors = await json(`SELECT idx, descriptor, scheme, severity_measure FROM ref_descriptors ORDER BY idx`);
  const bands = await json(`SELECT measure, idx, band FROM ref_bands ORDER BY measure, idx`);
  const rows = await json(`SELECT level, count(*) AS n FROM tt_cells GROUP BY level ORDER BY level`);
  fs.writeFileSync(out, JSON.stringify({ seconds: elapsed, cells, medians, descriptors, bands, rows }, null, 1));
  console.log(`duckdb tt-averages ${elapsed.toFixed(2)} s`);
} else if (mode === 'csv') {
  const [, dataDir] = args;
  const files = fs.readdirSync(dataDir).filter((f) => /^(IDS|MHS)\d{3}.*\.csv$/.test(f) || f === 'organisations.csv').sort();
  let rows = 0;
  for (const f of files) {
    const table = f.replace(/\.csv$/, '');
    // Every field as text, as the CSV holds it (ingest parses and validates; see docs/performance.md).
    await con.run(`CREATE OR REPLACE TABLE "${table}" AS SELECT * FROM read_csv('${path.join(dataDir, f)}', header = true, all_varchar = true)`);
    const r = (await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM "${table}"`)).getRowObjectsJson();
    rows += Number(r[0].n);
  }
  await con.run('CHECKPOINT');
  console.log(`duckdb read_csv ${files.length} files ${rows} rows ${seconds().toFixed(2)} s`);
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
