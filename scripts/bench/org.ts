// The example organisation (examples/org.example.yaml) for benchmarks.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { ServiceDeps } from "../../src/services/deps";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";

export async function importExampleOrg(deps: ServiceDeps) {
  const file = orgFileSchema.parse(parseYaml(readFileSync("examples/org.example.yaml", "utf8")));
  return importOrganisation(deps, file, { type: "system", platform: "cli" });
}
