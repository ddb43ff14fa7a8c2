// Burst benchmark: 300 leads for one Telegram group, delivered against a fake Bot API that enforces
// 1 message a second per chat and 20 a minute per group (429 + retry_after beyond), both scaled.
// Prints every card's lateness against the schedule those limits allow, the worst lateness, lost
// and doubled cards, and the ratio of the last card's time to the allowed one; last line
// `RESULT <json>`.
//
//   npx tsx scripts/bench/burst.bench.ts [--scale N] [--cards N]
//
// --scale N: run the limits N times faster (default 10: 100 ms per chat, 20 per 6 s; the 300th card
// is then allowed at ~86 s). --scale 1 is the real pacing (~14.5 minutes). Timers and loopback do
// not scale, so at high scales a few ms of overhead read as larger percentages.
import { createHarness, CHENGDU_DISTRICT, CHENGDU_GROUP, latenessReport, waitFor } from "../../test/delivery/harness";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const scale = arg("scale", 10);
const cards = Math.round(arg("cards", 300));

const h = await createHarness({ scale });
try {
  const pacing = h.tuning.pacing.telegram;
  const targets: string[] = [];
  const queuedStart = Date.now();
  for (let i = 0; i < cards; i++) {
    const target = `锦江某某医院${String(i).padStart(4, "0")}`;
    targets.push(target);
    await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: target });
  }
  const queuedMs = Date.now() - queuedStart;
  h.chat.startDeliveryLoop();
  const expectedMs = latenessReport(Array.from({ length: cards }, () => 0), pacing.perChatIntervalMs, pacing.groupMax!, pacing.groupWindowMs).lastAllowedMs;
  await waitFor(() => h.telegram.callsTo("sendMessage").length >= cards, expectedMs * 1.5 + 10_000, 50);
  await new Promise((r) => setTimeout(r, 500)); // anything doubled arrives too

  const posts = h.telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === CHENGDU_GROUP);
  const names = posts.map((c) => /锦江某某医院\d{4}/.exec(String(c.body.text))?.[0] ?? "?");
  const seen = new Map<string, number>();
  for (const n of names) seen.set(n, (seen.get(n) ?? 0) + 1);
  const lost = targets.filter((t) => !seen.has(t)).length;
  const doubled = [...seen.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
  const inOrder = names.every((n, i) => i === 0 || n >= names[i - 1]!);
  const report = posts.length ? latenessReport(posts.map((c) => c.at), pacing.perChatIntervalMs, pacing.groupMax!, pacing.groupWindowMs) : null;

  console.log(`burst: ${cards} cards to one Telegram group, scale ${scale} (per chat ${pacing.perChatIntervalMs} ms, ${pacing.groupMax} per ${pacing.groupWindowMs} ms)`);
  console.log(`queued ${cards} tips through the API in ${queuedMs} ms; delivery loop started after`);
  for (const row of report?.rows ?? []) console.log(`card ${String(row.card).padStart(4)}  allowed ${String(Math.round(row.allowedMs)).padStart(7)} ms  actual ${String(row.actualMs).padStart(7)} ms  late ${String(row.lateMs).padStart(5)} ms  ${row.latePct.toFixed(2)}%`);
  const ratio = report ? report.lastActualMs / report.lastAllowedMs : null;
  console.log(`max lateness ${report ? report.maxLatePct.toFixed(2) : "n/a"}%  (worst ${report ? Math.max(...report.rows.map((r) => r.lateMs)) : "n/a"} ms)`);
  console.log(`lost ${lost}  doubled ${doubled}  in order ${inOrder}  rejected by the fake (429) ${h.telegram.rejections.length}`);
  console.log(`ratio last card actual/allowed = ${ratio?.toFixed(4) ?? "n/a"} (${report?.lastActualMs ?? "n/a"} ms / ${report ? Math.round(report.lastAllowedMs) : "n/a"} ms)`);
  console.log(
    `RESULT ${JSON.stringify({
      bench: "burst",
      cards,
      scale,
      delivered: posts.length,
      lost,
      doubled,
      inOrder,
      rejected429: h.telegram.rejections.length,
      maxLatenessPct: report ? Number(report.maxLatePct.toFixed(3)) : null,
      maxLatenessMs: report ? Math.max(...report.rows.map((r) => r.lateMs)) : null,
      lastCardMs: report?.lastActualMs ?? null,
      lastAllowedMs: report ? Math.round(report.lastAllowedMs) : null,
      ratio: ratio === null ? null : Number(ratio.toFixed(4)),
    })}`,
  );
} finally {
  await h.close();
}
