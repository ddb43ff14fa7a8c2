// Statement shapes for the test suite (Node only): with FUNDWATCH_SQL_SHAPES set to a directory, every
// distinct statement a process sends (its text with values collapsed, and whether it went alone, in a
// batch or in a transaction) is written there under the test file that sent it (FUNDWATCH_SQL_SHAPES_FILE,
// set by test/support/param-guard-setup.ts and inherited by the servers and CLIs a test starts), after
// each test file and when the process exits. scripts/sql-shapes.mjs compares the record to show which
// test files reach which SQL over which database (how the sqld project's files were chosen).
import { appendFileSync } from "node:fs";
import { join } from "node:path";

/** The shapes recorded in this process and not yet written, by test file. */
function statementShapes(): Map<string, Set<string>> {
  const g = globalThis as { __fundwatchSqlShapes?: Map<string, Set<string>> };
  return (g.__fundwatchSqlShapes ??= new Map());
}

/**
 * A statement's text with its values left out: runs of placeholders, lists of quoted literals and the
 * rows of a multi-row VALUES (kept once per distinct row) collapse.
 */
export function statementShape(sql: string): string {
  const flat = sql
    .replace(/\s+/g, " ")
    .replace(/\?(\s*,\s*\?)*/g, "?*")
    .replace(/'[^']*'(\s*,\s*'[^']*')+/g, "'…'+")
    .trim();
  const at = flat.search(/ values \(/i);
  if (at < 0) return flat;
  const rows = new Set<string>();
  let depth = 0;
  let start = -1;
  let end = at + 8;
  for (let i = at + 8; i < flat.length; i++) {
    const ch = flat[i];
    if (ch === "(") {
      if (depth++ === 0) start = i;
    } else if (ch === ")") {
      if (--depth === 0) {
        rows.add(flat.slice(start, i + 1));
        end = i + 1;
        const next = flat.slice(i + 1).match(/^\s*,\s*\(/);
        if (!next) break;
        i += next[0].length - 1;
      }
    }
  }
  return `${flat.slice(0, at + 8)}${[...rows].sort().join(" | ")}${flat.slice(end)}`;
}

/** Records one statement (switched on by FUNDWATCH_SQL_SHAPES; see param-guard.ts). */
export function recordShape(sql: string, via: string): void {
  const file = process.env.FUNDWATCH_SQL_SHAPES_FILE ?? `pid ${process.pid}`;
  let shapes = statementShapes().get(file);
  if (!shapes) statementShapes().set(file, (shapes = new Set()));
  shapes.add(`${via}\t${statementShape(sql)}`);
}

/** Appends the shapes recorded so far to this process's file in FUNDWATCH_SQL_SHAPES and forgets them. */
export function flushStatementShapes(): void {
  const dir = process.env.FUNDWATCH_SQL_SHAPES;
  if (!dir) return;
  const lines: string[] = [];
  for (const [file, shapes] of statementShapes()) for (const s of shapes) lines.push(`${process.env.FUNDWATCH_TEST_DB ?? "file"}\t${file}\t${s}\n`);
  statementShapes().clear();
  if (lines.length > 0) appendFileSync(join(dir, `shapes-${process.pid}.tsv`), lines.join(""));
}

let shapesWriterInstalled = false;
/** Writes what is left when the process exits (servers and CLIs a test started). */
export function installShapesWriter(): void {
  if (shapesWriterInstalled) return;
  shapesWriterInstalled = true;
  process.once("exit", flushStatementShapes);
}
