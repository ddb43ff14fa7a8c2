// Which test files reach which SQL over sqld: reads the statement shapes a run recorded with
// FUNDWATCH_SQL_SHAPES=<dir> (src/db/statement-shapes.ts: one line per process, database, test file, how the
// statement was sent, and its text with values collapsed) and, given the files the "sqld" project now
// runs, lists every shape recorded over sqld that none of them reaches (EXPLAIN QUERY PLAN left out: a
// plan is the engine's, the same behind both drivers). Used to narrow the sqld project (vitest.config.ts):
//   FUNDWATCH_SQL_SHAPES=/tmp/shapes npx vitest run --project sqld     (with the wider include, once)
//   node scripts/sql-shapes.mjs /tmp/shapes --files "$(npx vitest list --project sqld --filesOnly | sed 's/^\[sqld\] //' | paste -sd,)"
// --cover prints a greedy cover of every recorded shape instead.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, ...rest] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node scripts/sql-shapes.mjs <dir> [--files a,b,…] [--cover]");
  process.exit(2);
}
const filesArg = rest.includes("--files") ? rest[rest.indexOf("--files") + 1] : undefined;

/** shape → files that ran it, over sqld only; EXPLAIN QUERY PLAN left out. */
const byShape = new Map();
for (const name of readdirSync(dir).filter((n) => n.endsWith(".tsv"))) {
  for (const line of readFileSync(join(dir, name), "utf8").split("\n")) {
    const [db, file, via, shape] = line.split("\t");
    if (db !== "sqld" || !shape) continue;
    // A query plan is the engine's (the same SQLite behind both drivers): not a driver path.
    if (/^EXPLAIN /i.test(shape)) continue;
    const key = `${via}\t${shape}`;
    if (!byShape.has(key)) byShape.set(key, new Set());
    byShape.get(key).add(file);
  }
}
console.log(`${byShape.size} distinct statement shapes (by how they were sent) over sqld`);

if (filesArg) {
  const kept = new Set(filesArg.split(",").filter(Boolean));
  const lost = [...byShape].filter(([, files]) => ![...files].some((f) => kept.has(f)));
  console.log(`${lost.length} shapes no kept file reaches over sqld:`);
  for (const [shape, files] of lost) console.log(`  ${shape.slice(0, 220)}\n      only in: ${[...files].join(", ")}`);
}

if (rest.includes("--cover")) {
  const left = new Map(byShape);
  const cover = [];
  while (left.size > 0) {
    const gain = new Map();
    for (const files of left.values()) for (const f of files) gain.set(f, (gain.get(f) ?? 0) + 1);
    const [best, n] = [...gain].sort((a, b) => b[1] - a[1])[0];
    cover.push(`${best} (+${n})`);
    for (const [shape, files] of left) if (files.has(best)) left.delete(shape);
  }
  console.log(`greedy cover (${cover.length} files):\n  ${cover.join("\n  ")}`);
}
