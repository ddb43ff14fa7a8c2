// Vitest globalSetup, once per project: migrates the template databases every test context copies
// (test/support/test-databases.ts) and, on the "sqld" project, starts the one sqld server its contexts share.
import type { TestProject } from "vitest/node";
import { prepareTestDatabases } from "./test-databases";

export default async function setup(project: TestProject) {
  const { shared, dispose } = await prepareTestDatabases(project.config.env?.FUNDWATCH_TEST_DB === "sqld");
  project.provide("fundwatchTestDatabases", shared);
  return dispose;
}
