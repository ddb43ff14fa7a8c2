// `npm run admin -- campaign …`: templates, list, start (with --dry-run: the preview as text, nothing
// created; --shift DAYS and --due KEY=DATE move the dates, for the preview and the start alike), import,
// board. Called from scripts/admin.ts, which delivers the chat messages a start causes.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { regionDisplayName } from "../../src/core/regions";
import { shanghaiDateTime } from "../../src/core/time";
import { campaignBoard } from "../../src/services/campaigns/board-data";
import { previewCampaignStart, type CampaignPreview } from "../../src/services/campaigns/campaign-preview";
import { importCampaign, listTemplates, startCampaign } from "../../src/services/campaigns/campaigns";
import { deadlineText } from "../../src/services/campaigns/messages";
import type { DateMove } from "../../src/services/campaigns/start-plan";
import { listCampaignSummaries } from "../../src/services/campaigns/summaries";
import type { ServiceDeps } from "../../src/services/deps";
import type { Actor } from "../../src/services/events";

export const CAMPAIGN_USAGE = `  campaign templates                    bundled campaign templates (id, name, year, region)
  campaign list                         every campaign: id, name, active or finished, year, region, start date,
                                        first and last deadline
  campaign start <template> --year <YYYY> [--region <code>] [--shift DAYS] [--due KEY=YYYY-MM-DD ...] [--dry-run]
                                        start a campaign from a template for that year (dates move to it) and
                                        region (default the template's): one assignment per unit of the kinds
                                        named; --shift moves every deadline by DAYS, --due sets a one-off
                                        deliverable's deadline. Reminder days already past are never sent: each
                                        unit gets one start message with its tasks and true deadlines instead
                                        (overdue reminders from the next working day). --dry-run prints the
                                        preview (units, deliverables, every reminder with its date, deadlines
                                        already past, units without an enrolled contact) and creates nothing.
                                        The last line is the campaign id
  campaign import <file.yaml|file.json> load a campaign file (same format as the templates); prints the id
  campaign board <campaign-id>          per deliverable: counts, then every unit's status
`;

export interface CampaignCommandResult {
  /** Printed last, after the chat delivery summary (scripts read it). */
  lastLine?: string;
  /** Nothing was written: no chat delivery round. */
  readOnly?: boolean;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function flags(args: string[], name: string): string[] {
  return args.flatMap((a, i) => (a === `--${name}` && args[i + 1] !== undefined ? [args[i + 1]!] : []));
}

/** A refusal in words: admin.ts prints it and exits 2. */
export class CampaignCommandError extends Error {}
const fail = (message: string): never => {
  throw new CampaignCommandError(message);
};

const at = (ms: number) => shanghaiDateTime(new Date(ms));
/** "1 deadline", "3 deadlines". */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const day = (ms: number | null) => (ms === null ? "-" : at(ms).slice(0, 10));

function moveOf(args: string[]): DateMove | undefined {
  const shift = flag(args, "shift");
  const dues = flags(args, "due");
  if (shift === undefined && dues.length === 0) return undefined;
  const move: DateMove = {};
  if (shift !== undefined) {
    if (!/^[+-]?\d{1,3}$/.test(shift)) fail("--shift DAYS: a whole number of days, e.g. 60 or -7");
    move.shiftDays = Number(shift);
  }
  if (dues.length) {
    move.deadlines = {};
    for (const d of dues) {
      const m = /^([a-z0-9][a-z0-9-]*)=(.+)$/.exec(d) ?? fail(`--due ${d}: expected KEY=YYYY-MM-DD (a one-off deliverable's key)`);
      move.deadlines[m[1]!] = m[2]!;
    }
  }
  return move;
}

const KIND_WORDS: Record<string, string> = { before: "days before", due: "due day", overdue: "overdue", escalation: "ESCALATION to coordinators and supervising unit" };

/** The preview as text (English, like the rest of the CLI; names as written in the template). */
export function previewText(p: CampaignPreview): string[] {
  const out: string[] = [];
  out.push(`DRY RUN: nothing was created. Preview of ${p.templateId} for ${p.year}, region ${p.regionCode} (${regionDisplayName(p.regionCode) || "-"}), as of ${at(p.now)} Beijing time`);
  out.push(`${p.name}${p.nameEn ? ` / ${p.nameEn}` : ""} — ${p.issuer}`);
  if (p.move) out.push(`moved dates: ${p.move.shiftDays ? `every deadline ${p.move.shiftDays > 0 ? "+" : ""}${p.move.shiftDays} days` : ""}${p.move.deadlines ? ` ${Object.entries(p.move.deadlines).map(([k, v]) => `${k}=${v}`).join(" ")}` : ""}`.trim());
  out.push(`${p.deliverables.length} deliverables, ${p.assignments} assignments for ${p.units.length} units`);
  out.push("", "Deliverables:");
  for (const d of p.deliverables) {
    out.push(`  ${d.key}\t${d.title}\t${d.units} units`);
    for (const dl of d.deadlines) out.push(`    ${dl.period ? `${dl.period} ` : ""}due ${deadlineText(dl.dueAt, "en")}${dl.past ? "  ALREADY PAST" : ""}`);
  }
  out.push("", "Units:");
  for (const u of p.units) out.push(`  ${u.id}\t${u.name}\t${u.kind}\t${u.regionCode}\t${u.tasks} tasks\t${u.unenrolled ? (u.contacts ? "NO ENROLLED CONTACT (contact not enrolled yet)" : "NO ENROLLED CONTACT (no contact)") : `${count(u.enrolledContacts, "enrolled contact")}`}`);
  out.push("", p.pastDeadlines.length ? `WARNING: ${count(p.pastDeadlines.length, "deadline")} already past:` : "No deadline is past.");
  for (const w of p.pastDeadlines) out.push(`  ${w.deliverableKey}${w.period ? ` ${w.period}` : ""}\tdue ${deadlineText(w.dueAt, "en")}`);
  out.push("", "Reminders:");
  if (p.startMessages) out.push(`  ${at(p.startMessages.at)}\tstart message to each of ${p.startMessages.units} units (its tasks and true deadlines, past ones marked) and one notice to the coordinators; no reminder for a day already past`);
  for (const r of p.reminders)
    out.push(`  ${at(r.sendAt)}\t${r.deliverableKey}${r.period ? ` ${r.period}` : ""}\t${r.kind === "before" ? `${r.offsetDays} ${KIND_WORDS.before}` : KIND_WORDS[r.kind]}\t${r.units} units`);
  const daily = p.deliverables.filter((d) => d.overdueDaily).map((d) => d.key);
  if (daily.length) out.push(`  then overdue reminders every working day until submitted (${daily.join(", ")})`);
  if (p.unenrolled.length) out.push("", `WARNING: ${count(p.unenrolled.length, "unit")} without an enrolled contact: their reminders can never be acknowledged: ${p.unenrolled.map((u) => u.id).join(", ")}`);
  return out;
}

/** Runs `campaign <sub> …`. */
export async function runCampaignCommand(deps: ServiceDeps, args: string[], actor: Actor): Promise<CampaignCommandResult> {
  const [sub, arg] = args;
  switch (sub) {
    case "templates":
      for (const t of listTemplates()) console.log(`${t.id}\t${t.name}\t${t.year}\t${t.regionCode}\t${t.deliverables} deliverables`);
      return { readOnly: true };
    case "list": {
      const rows = await listCampaignSummaries(deps);
      if (rows.length === 0) console.log("no campaigns yet (`campaign templates`, then `campaign start <template> --year <YYYY> --dry-run`)");
      for (const c of rows)
        console.log(`${c.id}\t${c.name}\t${c.state}\t${c.year}\t${c.regionCode}\tstarted ${day(c.startedAt)}\tdeadlines ${day(c.firstDueAt)} – ${day(c.lastDueAt)}\t${c.open}/${c.assignments} open`);
      return { readOnly: true };
    }
    case "start": {
      const templateId = arg && !arg.startsWith("--") ? arg : fail("campaign start <template> --year <YYYY> [--region <code>] [--dry-run]");
      const yearText = flag(args, "year") ?? fail("--year <YYYY> is required");
      if (!/^\d{4}$/.test(yearText)) fail("--year must be four digits");
      const region = flag(args, "region");
      if (region !== undefined && !/^\d{6}$/.test(region)) fail("--region must be a 6-digit GB/T 2260 code");
      const move = moveOf(args);
      const input = { templateId, year: Number(yearText), ...(region ? { regionCode: region } : {}), ...(move ? { move } : {}) };
      if (args.includes("--dry-run")) {
        for (const line of previewText(await previewCampaignStart(deps, input))) console.log(line);
        return { readOnly: true };
      }
      const r = await startCampaign(deps, { ...input, actor });
      console.log(`${r.deliverables} deliverables, ${r.assignments} assignments for ${r.units} units`);
      if (r.pastDeadlines) console.log(`${count(r.pastDeadlines, "deadline")} already past: no reminder for a past day; one start message to each of ${r.units} units and one notice to the coordinators`);
      else if (r.startMessages) console.log(`some reminder days already past: one start message to each of ${r.units} units and one notice to the coordinators`);
      return { lastLine: r.campaignId };
    }
    case "import": {
      const file = arg ?? fail("campaign import <file>");
      const text = readFileSync(resolve(file), "utf8");
      let raw: unknown;
      try {
        raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
      } catch (err) {
        fail(`${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const r = await importCampaign(deps, raw, actor);
      console.log(`${r.deliverables} deliverables, ${r.assignments} assignments for ${r.units} units`);
      return { lastLine: r.campaignId };
    }
    case "board": {
      const board = await campaignBoard(deps, arg ?? fail("campaign board <campaign-id>"));
      if (!board) fail(`no campaign ${arg}`);
      console.log(`${board!.campaign.name} (${board!.campaign.year}, ${board!.campaign.regionCode}, ${board!.campaign.status})`);
      for (const { deliverable, counts, rows } of board!.deliverables) {
        console.log(`\n${deliverable.key}\t${deliverable.title}`);
        console.log(`  units ${counts.units} · acknowledged ${counts.acknowledged} · submitted ${counts.submitted} · accepted ${counts.accepted} · late ${counts.late} · open ${counts.open}`);
        for (const r of rows) console.log(`  ${r.unitName}\t${r.period || "-"}\t${r.status}${r.acknowledged && r.status !== "acknowledged" ? " (acknowledged)" : ""}\tdue ${deadlineText(r.dueAt, "en")}`);
      }
      return { readOnly: true };
    }
    default:
      return fail("campaign templates | list | start <template> --year <YYYY> [--region <code>] [--shift DAYS] [--due KEY=DATE] [--dry-run] | import <file> | board <campaign-id>");
  }
}
