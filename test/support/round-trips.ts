// Counts database round trips: every call on the @libsql/client Client (execute, batch, transaction,
// executeMultiple, migrate) is one request to a remote libSQL server.
import { readFileSync } from "node:fs";
import type { Client } from "@libsql/client";
import { parse as parseYaml } from "yaml";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";
import type { ServiceDeps } from "../../src/services/deps";

const METHODS = ["execute", "batch", "transaction", "executeMultiple", "migrate"] as const;

export function countRoundTrips(client: Client) {
  const calls: { method: string; sql: string }[] = [];
  let counting = false;
  for (const method of METHODS) {
    const original = (client[method] as (...args: unknown[]) => unknown).bind(client);
    (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      if (counting) {
        const first = args[0];
        const text = Array.isArray(first)
          ? first.map((s) => (typeof s === "string" ? s : (s as { sql: string }).sql)).join(" ; ")
          : typeof first === "string" ? first : ((first as { sql?: string })?.sql ?? "");
        calls.push({ method, sql: text });
      }
      return original(...args);
    };
  }
  return {
    calls,
    /** Counts the round trips `work` makes. */
    async during<T>(work: () => Promise<T>): Promise<{ result: T; trips: number; calls: { method: string; sql: string }[] }> {
      const from = calls.length;
      counting = true;
      try {
        const result = await work();
        return { result, trips: calls.length - from, calls: calls.slice(from) };
      } finally {
        counting = false;
      }
    },
  };
}

/** The example file parsed once per test file; importing does not change it (the import reads it only). */
let parsedExample: ReturnType<typeof orgFileSchema.parse> | null = null;

export async function importExampleOrg(deps: ServiceDeps) {
  parsedExample ??= orgFileSchema.parse(parseYaml(readFileSync("examples/org.example.yaml", "utf8")));
  return importOrganisation(deps, structuredClone(parsedExample), { type: "system", platform: "cli" });
}

/** A report in Chengdu (routed to a Chengdu team of the example organisation). */
export const CHENGDU = { provinceCode: "510000", cityCode: "510100", districtCode: "510104" };
