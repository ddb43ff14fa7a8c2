// `npm run admin -- stats …`: the statistics of a period and scope as the issue's JSON (standard output by
// default), the statistics table or lead ledger as CSV, or the three-sheet workbook; every flag checked
// before anything is computed or written.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { LOCALES } from "../../src/core/report-input";
import { STATISTICS_SOURCES } from "../../src/core/statistics/report-shape";
import type { ServiceDeps } from "../../src/services/deps";
import { computeStatistics } from "../../src/services/statistics/compute";
import { ledgerCsv, statisticsCsv, statisticsXlsx } from "../../src/services/statistics/exports";
import { leadLedger } from "../../src/services/statistics/ledger";
import { resolveStatisticsScope } from "../../src/services/statistics/scope";

export const STATS_USAGE = `  stats [--from YYYY-MM-DD --to YYYY-MM-DD | --period 2026-03|2026-Q1|2026|last-month…] [--region CODE]
        [--team ID] [--source ${STATISTICS_SOURCES.join("|")}] [--campaign ID] [--format json|csv|xlsx]
        [--lang zh-CN|en] [--out PATH] [--ledger]
                                        the statistics (default: this month so far, as JSON on standard output, the
                                        shape of issue 18); csv: the statistics table, one row per figure (--ledger: the
                                        lead ledger instead); xlsx: the workbook (statistics, lead ledger, campaign
                                        compliance), to --out, or to standard output only when it is not a terminal;
                                        --lang (default zh-CN) is the language of headers and labels
`;

const VALUE_FLAGS = ["from", "to", "period", "region", "team", "source", "campaign", "format", "lang", "out"] as const;
const SWITCHES = ["ledger"] as const;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");

const statsFlagsSchema = z
  .strictObject({
    from: date.optional(),
    to: date.optional(),
    period: z.string().min(1).max(40).optional(),
    region: z.string().regex(/^\d{6}$/, "a 6-digit region code (e.g. 510104)").optional(),
    team: z.string().min(1).max(64).optional(),
    source: z.enum(STATISTICS_SOURCES).optional(),
    campaign: z.string().min(1).max(64).optional(),
    format: z.enum(["json", "csv", "xlsx"]).default("json"),
    lang: z.enum(LOCALES).default("zh-CN"),
    out: z.string().min(1).max(4096).optional(),
    ledger: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if ((v.from === undefined) !== (v.to === undefined)) ctx.addIssue({ code: "custom", path: [v.from === undefined ? "from" : "to"], message: "--from and --to go together" });
    if (v.period !== undefined && v.from !== undefined) ctx.addIssue({ code: "custom", path: ["period"], message: "either --period or --from/--to" });
    if (v.ledger && v.format !== "csv") ctx.addIssue({ code: "custom", path: ["ledger"], message: "--ledger switches the CSV to the lead ledger (--format csv); the workbook always holds it" });
  });
export type StatsFlags = z.infer<typeof statsFlagsSchema>;

/** The flags as given, or a message saying what is wrong (the caller exits 2, nothing computed or written). */
export function parseStatsFlags(args: readonly string[]): { ok: true; flags: StatsFlags } | { ok: false; message: string } {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith("--") ? arg.slice(2) : null;
    if (name !== null && (SWITCHES as readonly string[]).includes(name)) {
      raw[name] = true;
      continue;
    }
    if (name === null || !(VALUE_FLAGS as readonly string[]).includes(name)) return { ok: false, message: `stats: unknown argument ${JSON.stringify(arg.slice(0, 60))}\n\n${STATS_USAGE}` };
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) return { ok: false, message: `stats: --${name} needs a value` };
    if (Object.hasOwn(raw, name)) return { ok: false, message: `stats: --${name} given twice` };
    raw[name] = value;
    i++;
  }
  const parsed = statsFlagsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: `stats: ${parsed.error.issues.map((i) => (i.path.length ? `--${i.path.join(".")}: ${i.message}` : i.message)).join("; ")}` };
  return { ok: true, flags: parsed.data };
}

function writeStdout(bytes: Uint8Array | string): Promise<void> {
  return new Promise((done, failed) => process.stdout.write(bytes, (err) => (err ? failed(err) : done())));
}

/** Runs `stats`; `fail` prints the message and exits 2. The file is the output: no chat round after it. */
export async function statsCommand(deps: ServiceDeps, args: readonly string[], fail: (message: string) => never): Promise<void> {
  const r = parseStatsFlags(args);
  if (!r.ok) fail(r.message);
  const flags = r.flags;
  // A workbook is binary: never poured onto a terminal.
  if (flags.format === "xlsx" && flags.out === undefined && process.stdout.isTTY) fail("stats: --format xlsx writes a binary workbook: give --out PATH (or redirect standard output to a file)");
  const now = deps.now();
  // Refusals (a period that is no period, an unknown region or team) are AppErrors: admin.ts prints them, exit 2.
  const scope = await resolveStatisticsScope(
    deps,
    {
      ...(flags.period !== undefined ? { period: flags.period } : {}),
      ...(flags.from !== undefined ? { from: flags.from } : {}),
      ...(flags.to !== undefined ? { to: flags.to } : {}),
      ...(flags.region !== undefined ? { regionCode: flags.region } : {}),
      ...(flags.team !== undefined ? { teamId: flags.team } : {}),
      ...(flags.source !== undefined ? { source: flags.source } : {}),
      ...(flags.campaign !== undefined ? { campaignId: flags.campaign } : {}),
    },
    now,
  );
  let output: Uint8Array | string;
  let truncated = false;
  if (flags.format === "csv" && flags.ledger) {
    const ledger = await leadLedger(deps, scope);
    truncated = ledger.truncated;
    output = ledgerCsv(ledger.rows, flags.lang);
  } else {
    const report = await computeStatistics(deps, scope, now);
    if (flags.format === "json") output = `${JSON.stringify(report, null, 2)}\n`;
    else if (flags.format === "csv") output = statisticsCsv(report, flags.lang);
    else {
      const ledger = await leadLedger(deps, scope);
      truncated = ledger.truncated;
      output = await statisticsXlsx(report, ledger.rows, flags.lang);
    }
  }
  if (truncated) console.error("stats: the lead ledger stops at its row limit; narrow the period or scope for every lead");
  if (flags.out === undefined) return writeStdout(output);
  try {
    writeFileSync(resolve(flags.out), output);
  } catch (err) {
    fail(`stats: cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  console.error(`stats ${scope.period.from}..${scope.period.to}: ${flags.format}${flags.ledger ? " (lead ledger)" : ""} written to ${flags.out}`);
}
