// `npm run admin -- <command>`: the coordinators' command line. Works on the same database and keys as
// the server (DATABASE_URL, ENCRYPTION_KEYS/HASH_KEY/SIGNING_KEY or the development secrets file) and
// delivers the chat messages its changes cause before it exits.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { desc, eq, inArray } from "drizzle-orm";
import { parse as parseYaml } from "yaml";
import { createChatRuntime } from "../src/chat/runtime";
import { ConfigError, parseConfig } from "../src/config";
import type { LeadCommand } from "../src/core/lead-lifecycle";
import { REPORT_OUTCOMES } from "../src/core/report-status";
import { applyMigrations, openLibsqlDatabase } from "../src/db/libsql-file";
import { leads, members, outbox, teams } from "../src/db/schema";
import { loadKeyMaterial } from "../src/node";
import { MAX_AMOUNT_FEN, parseYuanText } from "../src/core/money";
import { createConsoleLogger, type ServiceDeps } from "../src/services/deps";
import { AppError } from "../src/services/errors";
import { batchFeedbackRows, feedbackCsv, feedbackXlsx } from "../src/services/leads/batch-feedback";
import { createHotlineLead, importScreeningBatch } from "../src/services/leads/lead-sources";
import { OPEN_LEAD_STATES, reassignLead, runLeadCommand } from "../src/services/leads/leads";
import { createInvite, deactivateMember, importOrganisation, orgFileSchema } from "../src/services/org/org";
import { accountsOf } from "../src/services/org/chat-accounts";
import { CAMPAIGN_USAGE, CampaignCommandError, runCampaignCommand } from "./admin/campaigns";
import { listMemberDirectory } from "../src/services/org/member-directory";
import { memberName } from "../src/services/org/member-names";
import { currentOrg } from "../src/services/org/org-cache";
import { errorText, refusalText } from "../src/services/refusals/refusal-text";
import { leadShowLines } from "./admin/lead-show";
import { concludeCommandFromFlags } from "./admin/lead-conclude";
import { MEASURES } from "../src/core/measures";
import { postInvestigatorMessage, type Actor } from "../src/services/intake/reports";
import { importKeyRing, KeyConfigError } from "../src/security/keys";
import { checkKeyFingerprint } from "../src/services/key-fingerprint";
import { EXCLUSION_REASONS, REWARD_STATUSES, type ExclusionReason, type RewardStatus } from "../src/core/rewards/claims";
import { formatYuan } from "../src/core/rewards/compute";
import { addRewardTip, listRewardClaims, reviewRewardClaim, viewRewardClaimant, type ReviewAction } from "../src/services/rewards/claims";
import { loginCommand } from "./admin/login";
import { STATS_USAGE, statsCommand } from "./admin/stats";
import { DINGTALK_USAGE, dingtalkCommand } from "./admin/dingtalk";

const USAGE = `FundWatch admin

  import <file.json|file.yaml>          load or update teams, members, chat destinations, calendar
  teams | members                       list them (member ids are needed for invites)
  invite <member-id> [--days N] [--additional-account]
                                        one-time enrolment code (Telegram: /start CODE, Slack: /fundwatch join CODE);
                                        the only way to invite finance and coordinators; refused while the member
                                        has a chat account (deactivate first), except --additional-account: for the
                                        platform the member has no account on yet (it never replaces one)
  deactivate <member-id>                offboarding or a lost phone: the member's chat accounts stop acting (and are
                                        told so), earlier invites lapse; a new invite re-enrols and reactivates
  login <member-id>                     a sign-in link to the staff workspace (/staff) for that member: works once,
                                        for 10 minutes; the last line is the link (give it to them privately)
  leads [--all]                         open leads (or all), with the assignee's name
  lead show <lead-id>                   the lead, its timeline (who did what) and its messages with each tip's number;
                                        scrubbed, never the tipster's identity; the look is logged
  lead <ack|accept|investigate|decline|conclude|reassign> <lead-id> --as <member-id>
       [--reason TEXT] [--outcome ${REPORT_OUTCOMES.join("|")}] [--amount YUAN] [--to MEMBER-ID]
       conclude also: [--recovered YUAN] [--fine YUAN] [--measures ${MEASURES.join(",")}]
  message <report-id> <text> --as <member-id>   message the tipster (shows on the status page)
  batch <file.csv> [--reference TEXT] [--due YYYY-MM-DD]
                                        import screening results as leads (columns: rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref);
                                        the last line is \`batch <id>: <n> leads\` (rows imported as leads now, corroborations included)
  batch feedback <batch-id> [--xlsx] [--out <path>]
                                        the feedback file (逐条反馈): one line per row with its lead's state, outcome, verified amount,
                                        closing date and handler; CSV (UTF-8 with BOM) to standard output, or .xlsx with --xlsx, to --out if given
  hotline --ref CALL --subject S --type T --region CODE --target NAME --text TEXT [--date YYYY-MM-DD] [--amount YUAN]
  reward list [--status S]              reward claims (举报奖励), newest first: id, status, amount, lead, deadline
  reward approve <claim-id> --as <member-id>    a coordinator's approval, then finance's (two different people)
  reward reject <claim-id> --reason <text> --as <member-id>
  reward pay <claim-id> --ref <text> --as <member-id>      finance marks an approved claim paid
  reward ask <claim-id> --question <text> --as <member-id> the question shows on the tipster's status page
  reward add <lead-id> --tip <n> --reason <text> --as <member-id>  make a later tip on the same facts eligible too
  reward exclude <claim-id> --code <${EXCLUSION_REASONS.join("|")}> --reason <text> --as <member-id>
                                        a coordinator records that the claim is not eligible, and why
  reward claimant <claim-id> --reason <text> --as <member-id>
                                        finance only: the claimant's identity and payout details (the view is logged first)
${CAMPAIGN_USAGE}${STATS_USAGE}${DINGTALK_USAGE}  outbox [--failed]                     chat messages waiting or failed
  deliver                               deliver due chat messages now
`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const orFail = <T>(r: { ok: true; command: T } | { ok: false; message: string }): T => (r.ok ? r.command : fail(r.message));

/** `--amount YUAN` in fen: refused before anything is written when it is not an amount or over the bound. */
function amountFlagFen(text: string): number {
  const r = parseYuanText(text);
  if (r.ok) return r.fen;
  return fail(r.reason === "amount_too_large" ? `--amount ${text}: too large (at most ${formatYuan(MAX_AMOUNT_FEN)} yuan)` : `--amount ${text}: not an amount in yuan (digits, at most two decimals, e.g. 12000.50)`);
}

/** Runs a reviewer's step; a refusal (role, state, deadline) ends the command with it in words (and its code), exit 2. */
async function orRefused(deps: ServiceDeps, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof AppError) fail(`refused: ${await errorText(deps, "en", err)} (${err.options.details?.reason ?? err.code})`);
    throw err;
  }
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return;
  }
  const config = parseConfig(process.env);
  const log = createConsoleLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  // Without the server's keys the CLI refuses in words (no stack trace): it never makes keys of its own.
  const keys = await loadKeyMaterial(config, log)
    .then(importKeyRing)
    .catch((err: unknown) => fail(err instanceof KeyConfigError ? err.message : String(err)));
  const { db, client } = await openLibsqlDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  // Other keys than the data's: refused before anything is written (see services/key-fingerprint.ts).
  await checkKeyFingerprint(db, keys, { record: false }).catch((err) => {
    client.close();
    fail(err instanceof KeyConfigError ? err.message : String(err));
  });
  await applyMigrations(db);
  await checkKeyFingerprint(db, keys, { record: true });
  const deps: ServiceDeps = { db, keys, config, now: () => new Date(), log };
  const chat = createChatRuntime(deps);
  const system: Actor = { type: "system", platform: "cli" };

  async function memberActor(id: string | undefined) {
    if (!id) fail("--as <member-id> is required (see `npm run admin -- members`)");
    const member = await db.query.members.findFirst({ where: eq(members.id, id) });
    if (!member) fail(`no member ${id}`);
    return { member, platform: "cli" as const };
  }

  /** Printed after the delivery summary: scripts read it as the command's last line. */
  let lastLine: string | null = null;
  try {
    switch (command) {
      case "import": {
        const file = args[0] ?? fail("import <file>");
        const text = readFileSync(resolve(file), "utf8");
        const raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
        const parsed = orgFileSchema.safeParse(raw);
        if (!parsed.success) fail(`${file} is not a valid organisation file:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
        const summary = await importOrganisation(deps, parsed.data, system);
        console.log(`teams: ${summary.teams.created} created, ${summary.teams.updated} updated; units: ${summary.units.created} created, ${summary.units.updated} updated; members: ${summary.members.created} created, ${summary.members.updated} updated; calendar days: ${summary.calendarDays}`);
        break;
      }
      case "teams":
        for (const t of await db.select().from(teams)) console.log(`${t.id}\t${t.name}\t${t.regionCode}\t${t.platform}:${t.chatId}${t.isCoordinators ? "\t(coordinators)" : ""}${t.active ? "" : "\t(inactive)"}`);
        break;
      case "members": {
        for (const { member: m, place } of await listMemberDirectory(deps))
          console.log(`${m.id}\t${m.displayName}\t${m.role}\t${place ?? "-"}\t${accountsOf(m).map((a) => a.platform).join(",") || "not enrolled"}${m.active ? "" : "\t(deactivated)"}`);
        break;
      }
      case "invite": {
        const memberId = args[0] ?? fail("invite <member-id>");
        const days = Number(flag(args, "days") ?? 7);
        const { code, expiresAt } = await createInvite(deps, { memberId, actor: system, ttlMs: days * 86_400_000, additionalAccount: args.includes("--additional-account") });
        console.log(`invite code: ${code}\nvalid until ${expiresAt.toISOString()}; Telegram: send "/start ${code}" to the bot in a private chat; Slack: "/fundwatch join ${code}"`);
        break;
      }
      case "deactivate": {
        const memberId = args[0] ?? fail("deactivate <member-id>");
        const member = (await deactivateMember(deps, { memberId, actor: system })) ?? fail(`no member ${memberId}`);
        console.log(`${member.id} (${member.displayName}) deactivated: its chat accounts no longer act; \`invite ${member.id}\` to re-enrol`);
        break;
      }
      case "login":
        lastLine = await loginCommand(deps, args, fail);
        break;
      case "leads": {
        const rows = args.includes("--all") ? await db.select().from(leads).orderBy(desc(leads.receivedAt)) : await db.select().from(leads).where(inArray(leads.state, OPEN_LEAD_STATES)).orderBy(desc(leads.receivedAt));
        const org = await currentOrg(deps);
        for (const l of rows) console.log(`${l.id}\t${l.state}\t${l.violationType}\t${l.targetName}\t${l.regionCode}\tcorroborated ${l.corroborationCount}\tassignee ${l.assigneeId ? memberName(org, l.assigneeId, "en") : "-"}`);
        break;
      }
      case "lead": {
        const [action, leadId] = args;
        if (action === "show") {
          const lines = (await leadShowLines(deps, leadId ?? fail("lead show <lead-id>"), system)) ?? fail(`no lead ${leadId}`);
          console.log(lines.join("\n"));
          return;
        }
        if (!action || !leadId) fail("lead <action> <lead-id> --as <member-id>");
        const actor = await memberActor(flag(args, "as"));
        const dedupeKey = `cli:${Date.now()}:${Math.random().toString(36).slice(2)}`;
        let result;
        if (action === "reassign") {
          result = await reassignLead(deps, { leadId, toMemberId: flag(args, "to") ?? fail("--to <member-id>"), actor, dedupeKey });
        } else {
          const commands: Record<string, () => LeadCommand> = {
            ack: () => ({ type: "acknowledge" }),
            accept: () => ({ type: "accept" }),
            investigate: () => ({ type: "investigate" }),
            decline: () => ({ type: "decline", reason: flag(args, "reason") ?? "" }),
            conclude: () => orFail(concludeCommandFromFlags((name) => flag(args, name))),
          };
          const make = commands[action] ?? fail(`unknown lead action ${action}`);
          result = await runLeadCommand(deps, { leadId, command: make(), actor, dedupeKey });
        }
        if (result.status === "refused") fail(`refused: ${await refusalText(deps, "en", { scope: "lead", code: result.reason, action: action === "ack" ? "acknowledge" : action, actorId: actor.member.id, lead: result.lead ?? null, leadId })}`);
        console.log(result.status === "done" ? `${leadId}: ${result.from} → ${result.to}` : result.status);
        break;
      }
      case "reward": {
        const [action, claimId] = args;
        if (action === "list") {
          const status = flag(args, "status");
          if (status && !(REWARD_STATUSES as readonly string[]).includes(status)) fail(`--status is one of ${REWARD_STATUSES.join(", ")}`);
          for (const r of await listRewardClaims(deps, status ? { statuses: [status as RewardStatus] } : {}))
            console.log(`${r.id}	${r.status}	${formatYuan(r.amountFen)} yuan	${r.policyId}	lead ${r.leadId}	deadline ${new Date(r.claimDeadline).toISOString()}`);
          break;
        }
        if (action === "add") {
          const leadId = claimId ?? fail("reward add <lead-id> --tip <n> --reason <text> --as <member-id>");
          const tipNo = Number(flag(args, "tip") ?? fail("--tip <n> is required (the tip's number on the lead)"));
          const { member } = await memberActor(flag(args, "as"));
          await orRefused(deps, async () => {
            const added = await addRewardTip(deps, { leadId, tipNo, reason: flag(args, "reason") ?? fail("--reason <text> is required"), member, platform: "cli" });
            console.log(`${added.id}: ${added.status} (tip #${tipNo})`);
          });
          break;
        }
        if (action === "claimant") {
          const id = claimId ?? fail("reward claimant <claim-id> --reason <text> --as <member-id>");
          const { member } = await memberActor(flag(args, "as"));
          await orRefused(deps, async () => {
            const seen = await viewRewardClaimant(deps, { claimId: id, member, platform: "cli", reason: flag(args, "reason") ?? fail("--reason <text> is required (it is logged)") });
            if (!seen) console.log(`${id}: not claimed yet`);
            else console.log(`name\t${seen.identity.name}\nid number\t${seen.identity.idNumber}\nphone\t${seen.identity.phone}\npayout\t${seen.payout.method}\t${seen.payout.account}\t${seen.payout.bankName ?? "-"}`);
          });
          break;
        }
        if (action === "exclude") {
          const id = claimId ?? fail("reward exclude <claim-id> --code <code> --reason <text> --as <member-id>");
          const code = flag(args, "code");
          if (!code || !(EXCLUSION_REASONS as readonly string[]).includes(code)) fail(`--code is one of ${EXCLUSION_REASONS.join(", ")}`);
          const { member } = await memberActor(flag(args, "as"));
          await orRefused(deps, async () => {
            const updated = await reviewRewardClaim(deps, { claimId: id, action: "exclude", member, platform: "cli", text: flag(args, "reason") ?? fail("--reason <text> is required"), exclusionReason: code as ExclusionReason });
            console.log(`${updated.id}: ${updated.status} (${code})`);
          });
          break;
        }
        const actions: Record<string, { action: ReviewAction; text?: string }> = {
          approve: { action: "approve" },
          reject: { action: "reject", text: "reason" },
          pay: { action: "pay", text: "ref" },
          ask: { action: "ask", text: "question" },
        };
        const chosen = (action && actions[action]) || fail("reward <list|approve|reject|pay|ask|add|exclude|claimant> <claim-id> --as <member-id>");
        if (!claimId) fail(`reward ${action} <claim-id> --as <member-id>`);
        const text = chosen.text ? (flag(args, chosen.text) ?? fail(`--${chosen.text} <text> is required`)) : undefined;
        const { member } = await memberActor(flag(args, "as"));
        await orRefused(deps, async () => {
          const updated = await reviewRewardClaim(deps, { claimId, action: chosen.action, member, platform: "cli", ...(text ? { text } : {}) });
          console.log(`${updated.id}: ${updated.status}`);
        });
        break;
      }
      case "message": {
        const [reportId, ...words] = args.filter((a, i, all) => a !== "--as" && all[i - 1] !== "--as");
        if (!reportId || words.length === 0) fail("message <report-id> <text> --as <member-id>");
        const actor = await memberActor(flag(args, "as"));
        await postInvestigatorMessage(deps, { reportId, body: words.join(" "), actor: { type: "member", id: actor.member.id, role: actor.member.role, platform: "cli" } });
        console.log(`message added to ${reportId}`);
        break;
      }
      case "batch": {
        if (args[0] === "feedback") {
          const batchId = args[1] ?? fail("batch feedback <batch-id> [--xlsx] [--out <path>]");
          const rows = await batchFeedbackRows(deps, batchId);
          const out = flag(args, "out");
          const file = args.includes("--xlsx") ? feedbackXlsx(rows) : new TextEncoder().encode(feedbackCsv(rows));
          if (out) {
            writeFileSync(resolve(out), file);
            console.error(`batch ${batchId}: feedback for ${rows.length} rows written to ${out}`);
          } else await new Promise<void>((done, failed) => process.stdout.write(file, (err) => (err ? failed(err) : done())));
          // The file is the output: no delivery round and no chat summary after it.
          return;
        }
        const file = args[0] ?? fail("batch <file.csv>");
        const due = flag(args, "due");
        if (due !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(due)) fail("--due YYYY-MM-DD");
        const r = await importScreeningBatch(deps, readFileSync(resolve(file), "utf8"), system, file, { reference: flag(args, "reference") ?? null, feedbackDueOn: due ?? null });
        console.log(`${r.rows} rows: ${r.created} new leads, ${r.corroborated} joined leads, ${r.skippedAlreadyImported} already imported`);
        lastLine = `batch ${r.batchId}: ${r.created + r.corroborated} leads`;
        break;
      }
      case "hotline": {
        const amount = flag(args, "amount");
        const r = await createHotlineLead(
          deps,
          {
            callRef: flag(args, "ref") ?? fail("--ref CALL"),
            subject: (flag(args, "subject") ?? fail("--subject")) as never,
            violationType: (flag(args, "type") ?? fail("--type")) as never,
            regionCode: flag(args, "region") ?? fail("--region"),
            targetName: flag(args, "target") ?? fail("--target"),
            description: flag(args, "text") ?? fail("--text"),
            ...(flag(args, "date") ? { occurredFrom: flag(args, "date")! } : {}),
            ...(amount ? { amountYuan: amountFlagFen(amount) / 100 } : {}),
          },
          system,
        );
        console.log(r.created ? `lead ${r.leadId} created` : `joined existing lead ${r.leadId}`);
        break;
      }
      case "campaign": {
        const r = await runCampaignCommand(deps, args, system).catch((err: unknown) => (err instanceof CampaignCommandError ? fail(err.message) : Promise.reject(err)));
        if (r.readOnly) return;
        lastLine = r.lastLine ?? null;
        break;
      }
      case "stats":
        return await statsCommand(deps, args, fail);
      case "dingtalk":
        return await dingtalkCommand(deps, args, fail);
      case "outbox": {
        const rows = await db.select().from(outbox).where(inArray(outbox.status, args.includes("--failed") ? ["failed"] : ["pending", "sending", "failed"]));
        for (const r of rows) console.log(`${r.id}\t${r.status}\t${r.platform}:${r.chatId}\t${r.kind}\tattempts ${r.attempts}\tnext ${new Date(r.nextAttemptAt).toISOString()}\t${r.lastError ?? ""}`);
        if (rows.length === 0) console.log("nothing waiting");
        break;
      }
      case "deliver":
        break;
      default:
        fail(`unknown command ${command}\n\n${USAGE}`);
    }
    const delivered = await chat.drain();
    if (delivered && (delivered.sent || delivered.retried)) console.log(`chat: ${delivered.sent} sent, ${delivered.retried} to retry`);
    if (lastLine) console.log(lastLine);
  } catch (err) {
    if (err instanceof AppError || err instanceof ConfigError || err instanceof KeyConfigError) fail(err.message);
    throw err;
  } finally {
    client.close();
  }
}

await main();
