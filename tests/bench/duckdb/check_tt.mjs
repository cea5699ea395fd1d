// Fails loudly unless DuckDB's national counts, sums and medians equal mhbench's exactly.
//   node check_tt.mjs MHBENCH_OUT_DIR DUCKDB.json
// mhbench side: results.h5 /tt/national and /tt/medians read with h5dump at full precision;
// sums are recovered exactly as mean x n (and sums of squares from the sample variance), which
// must land within 1e-6 of an integer.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const [outDir, duckFile] = process.argv.slice(2);
const h5 = `${outDir}/results.h5`;
const duck = JSON.parse(fs.readFileSync(duckFile, 'utf8'));

function column(group, name) {
  const text = execFileSync('h5dump', ['-y', '-w', '0', '-m', '%.17g', '-d', `${group}/${name}`, h5], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const body = text.slice(text.indexOf('DATA {') + 6, text.indexOf('}', text.indexOf('DATA {')));
  if (text.slice(0, text.indexOf('DATA {')).includes('H5T_STRING')) return [...body.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  return body.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
}
function table(group, names) {
  const cols = Object.fromEntries(names.map((n) => [n, column(group, n)]));
  return cols[names[0]].map((_, i) => Object.fromEntries(names.map((n) => [n, cols[n][i]])));
}

const counts = ['discharged', 'finished', 'at_caseness', 'not_at_caseness', 'recovered', 'improved', 'deteriorated', 'n'];
const means = { mean_contacts: 'sum_total', mean_low: 'sum_low', mean_high: 'sum_high', mean_unclassified: 'sum_unclassified', mean_employment: 'sum_employment' };
const mh = table('/tt/national', ['descriptor', 'severity', ...counts, ...Object.keys(means), 'sd_contacts', 'median_contacts']);

const descriptors = new Map(duck.descriptors.map((d) => [Number(d.idx), d]));
const bandLabel = new Map(duck.bands.map((b) => [`${b.measure}/${b.idx}`, b.band]));
function labels(c) {
  if (Number(c.all_descriptors)) return ['All', 'All'];
  const d = descriptors.get(Number(c.descriptor));
  if (Number(c.all_bands) || d.scheme === 'one_band') return [d.descriptor, 'All'];
  const b = Number(c.band);
  if (b < 0) return [d.descriptor, 'Unknown'];
  if (d.scheme === 'median_split') return [d.descriptor, b === 0 ? 'Below Median' : 'Above Median'];
  return [d.descriptor, bandLabel.get(`${d.severity_measure}/${b}`)];
}

const problems = [];
let compared = 0;
function exact(what, got, want) {
  compared++;
  if (got !== want) problems.push(`${what}: DuckDB ${got}, mhbench ${want}`);
}
function recovered(what, value, ok) {
  if (!Number.isFinite(value) || Math.abs(value - Math.round(value)) > 1e-6 || !ok) {
    problems.push(`${what}: mhbench value ${value} is not an exact integer`);
    return NaN;
  }
  return Math.round(value);
}

const byLabel = new Map(mh.map((r) => [`${r.descriptor}|${r.severity}`, r]));
const seen = new Set();
for (const c of duck.cells) {
  const [dl, sl] = labels(c);
  const key = `${dl}|${sl}`;
  const r = byLabel.get(key);
  if (!r) {
    if (Number(c.discharged) > 0) problems.push(`${key}: DuckDB has ${c.discharged} discharged, mhbench has no row`);
    continue;
  }
  seen.add(key);
  for (const k of counts) exact(`${key} ${k}`, Number(c[k] ?? 0), r[k]);
  const n = r.n;
  for (const [m, s] of Object.entries(means)) {
    const want = n > 0 ? recovered(`${key} ${m} x n`, r[m] * n, true) : 0;
    exact(`${key} ${s}`, Number(c[s] ?? 0), want);
  }
  if (n > 1) {
    const sum = Number(c.sum_total);
    const sumsq = recovered(`${key} sum of squares`, r.sd_contacts ** 2 * (n - 1) + (sum * sum) / n, true);
    exact(`${key} sumsq_total`, Number(c.sumsq_total), sumsq);
  }
  if (n > 0) exact(`${key} median_contacts`, Number(c.median_total), r.median_contacts);
}
for (const r of mh) if (!seen.has(`${r.descriptor}|${r.severity}`) && r.discharged > 0) problems.push(`${r.descriptor}|${r.severity}: mhbench has ${r.discharged} discharged, DuckDB no row`);

const med = table('/tt/medians', ['descriptor', 'n', 'median']);
for (const m of duck.medians) {
  const d = descriptors.get(Number(m.descriptor));
  const r = med.find((x) => x.descriptor === d.descriptor);
  if (!r) { problems.push(`median of ${d.descriptor}: mhbench has none`); continue; }
  exact(`median of ${d.descriptor} n`, Number(m.n), r.n);
  exact(`median of ${d.descriptor}`, Number(m.median) / 100, r.median);
}
if (problems.length) {
  console.error(`check FAILED: DuckDB and mhbench differ (${problems.length} of ${compared} values):`);
  for (const p of problems.slice(0, 40)) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check: DuckDB equals mhbench exactly: ${compared} national counts, sums, sums of squares and medians (${seen.size} rows)`);
