// `npm run admin -- lead show <lead-id>`: one lead as text — its facts with members named, its timeline
// with who did what, and its messages with each tipster labelled by tip number. Scrubbed; no identity.
import { parseStoredMeasures } from "../../src/core/measures";
import { regionDisplayName } from "../../src/core/regions";
import { formatYuan } from "../../src/core/rewards/compute";
import { shanghaiDateTime } from "../../src/core/time";
import { t } from "../../src/i18n";
import type { ServiceDeps } from "../../src/services/deps";
import type { Actor } from "../../src/services/events";
import { leadHistory, type HistoryEvent } from "../../src/services/leads/lead-history";
import { memberName } from "../../src/services/org/member-names";
import type { OrgSnapshot } from "../../src/services/org/org-cache";

const locale = "en" as const;
const when = (ms: number | null | undefined) => (ms ? shanghaiDateTime(new Date(ms)) : "-");

function actorText(org: OrgSnapshot, actor: HistoryEvent["actor"]): string {
  switch (actor.kind) {
    case "member":
      return memberName(org, actor.memberId, locale);
    case "tipster":
      return actor.tipNo ? `tipster of tip #${actor.tipNo}` : "a tipster";
    case "outsider":
      return "someone not enrolled";
    case "system":
      return "system";
  }
}

function eventText(org: OrgSnapshot, e: HistoryEvent): string {
  const parts = [e.action];
  if (e.fromState || e.toState) parts.push(`${e.fromState ?? "-"} → ${e.toState ?? "-"}`);
  if (e.reassigned) parts.push(`${memberName(org, e.reassigned.from, locale)} → ${memberName(org, e.reassigned.to, locale)}`);
  if (e.files) parts.push(`${e.files} ${e.files === 1 ? "file" : "files"}`);
  if (e.refused) parts.push(`${e.refused.attempted}: ${e.refused.reason}`);
  return `${parts.join("  ")}  by ${actorText(org, e.actor)}`;
}

/** The lines to print, or null when there is no such lead (the caller exits non-zero). */
export async function leadShowLines(deps: ServiceDeps, leadId: string, viewer: Actor): Promise<string[] | null> {
  const history = await leadHistory(deps, leadId, viewer);
  if (!history) return null;
  const { lead, org, tips, timeline, messages } = history;
  const closed = lead.state === "concluded" || lead.state === "not_accepted";
  const rows: [string, string][] = [
    ["state", t(locale, `chat.lead_state.${lead.state}`)],
    ["type", `${t(locale, `taxonomy.type.${lead.violationType}`)} (${lead.violationType})`],
    ["reported", lead.targetName],
    ["region", `${regionDisplayName(lead.regionCode) || lead.regionCode} (${lead.regionCode})`],
    ["source", t(locale, `chat.lead_source.${lead.source}`)],
    ["team", lead.teamId ? (org.teamById.get(lead.teamId)?.name ?? "-") : "unrouted"],
    ["assignee", lead.assigneeId ? memberName(org, lead.assigneeId, locale) : "unassigned"],
    ["received", when(lead.receivedAt)],
  ];
  if (!closed) rows.push(["ack by", when(lead.ackBy)], ["accept by", when(lead.acceptBy)], ["finish by", when(lead.finishBy)]);
  if (lead.outcome) rows.push(["outcome", t(locale, `report_outcome.${lead.outcome}`)]);
  if (lead.substantiatedAmountFen !== null) rows.push(["verified amount", `${formatYuan(lead.substantiatedAmountFen)} yuan`]);
  if (lead.recoveredFen !== null) rows.push(["recovered", `${formatYuan(lead.recoveredFen)} yuan`]);
  if (lead.fineFen !== null) rows.push(["fine", `${formatYuan(lead.fineFen)} yuan`]);
  const measures = parseStoredMeasures(lead.measures);
  if (measures && measures.length > 0) rows.push(["measures", measures.join(", ")]);
  if (lead.amountEstimateFen !== null) rows.push(["estimated amount", `${formatYuan(lead.amountEstimateFen)} yuan`]);
  rows.push(["similar reports", String(lead.corroborationCount)]);
  if (tips.length) rows.push(["tips", tips.map((tip) => `#${tip.tipNo} ${when(tip.addedAt)} ${tip.channel}`).join("; ")]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`lead ${lead.id}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), "", `timeline (${timeline.length})`];
  for (const e of timeline) lines.push(`  ${when(e.at)}  ${eventText(org, e)}`);
  lines.push("", `messages (${messages.length})`);
  if (messages.length === 0) lines.push("  none");
  for (const m of messages) {
    const who = m.from === "tipster" ? `tipster of tip #${m.tipNo}` : `${m.authorId ? memberName(org, m.authorId, locale) : "investigator"} to tip #${m.tipNo}`;
    const files = m.files ? ` (+${m.files} ${m.files === 1 ? "file" : "files"})` : "";
    lines.push(`  ${when(m.at)}  ${who}${files}:`, ...m.body.split("\n").map((l) => `    ${l}`));
  }
  return lines;
}
