// Runs around every test file (vitest.config.ts setupFiles): a statement that bound more than D1's 100
// parameters fails the test even when the code under test caught the error (see src/db/param-guard.ts).
import { afterEach, expect } from "vitest";
import { boundParameterViolations } from "../../src/db/param-guard";

afterEach(() => {
  const seen = boundParameterViolations().splice(0);
  expect(seen, "statements over D1's 100 bound parameters").toEqual([]);
});
