// Runs around every test file (vitest.config.ts setupFiles): a statement that bound more than D1's 100
// parameters fails the test even when the code under test caught the error (see src/db/param-guard.ts).
import { relative } from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { boundParameterViolations } from "../../src/db/param-guard";
import { flushStatementShapes } from "../../src/db/statement-shapes";

// FUNDWATCH_SQL_SHAPES (a directory): record which statements each file runs (see src/db/statement-shapes.ts).
if (process.env.FUNDWATCH_SQL_SHAPES) {
  beforeAll(() => {
    process.env.FUNDWATCH_SQL_SHAPES_FILE = relative(process.cwd(), expect.getState().testPath ?? "?");
  });
  afterAll(() => {
    flushStatementShapes();
    delete process.env.FUNDWATCH_SQL_SHAPES_FILE;
  });
}

afterEach(() => {
  const seen = boundParameterViolations().splice(0);
  expect(seen, "statements over D1's 100 bound parameters").toEqual([]);
});
