// Seeds a year of varied leads fast (INSERT … SELECT over a recursive sequence per chunk) for the
// statistics' plan test and benchmark: received evenly over [from, to), every source, seven districts in
// two provinces, the organisation's teams, all states (60 % concluded with amounts and measures), stored
// deadlines and elapsed working figures, and one tip report linked to every tip lead.
import type { Client } from "@libsql/client";

export interface StatisticsSeed {
  count: number;
  /** Received times spread evenly over [from, to). */
  from: number;
  to: number;
  prefix?: string;
}

export const STATS_SEED_REGIONS = ["510104", "510107", "510106", "510703", "320102", "320104", "320506"] as const;
const TYPES = ["ghost_admission", "split_hospitalisation", "over_treatment", "duplicate_billing"] as const;
const OUTCOMES = ["substantiated", "partly_substantiated", "unsubstantiated", "referred_police", "referred_discipline", "referred_health_commission"] as const;
const MEASURE_SETS = ['["interview"]', '["interview","published"]', '["rectification"]', '[]', '["suspend_agreement","administrative_penalty"]'] as const;
const FOCUS_SETS = ['[]', '["orthopaedics"]', '["dialysis","imaging"]'] as const;
const CHUNK = 20_000;

const pick = (list: readonly string[], mod: string) => `CASE (${mod}) ${list.map((v, k) => `WHEN ${k} THEN '${v}'`).join(" ")} END`;

export async function seedStatisticsLeads(client: Client, seed: StatisticsSeed): Promise<void> {
  const prefix = seed.prefix ?? "st";
  const teams = (await client.execute("SELECT id FROM teams ORDER BY id")).rows.map((r) => String(r.id));
  const hour = 3_600_000;
  const day = 24 * hour;
  const step = (seed.to - seed.from) / seed.count;
  // i % 10: 0–5 concluded, 6 not accepted, 7 new, 8 acknowledged, 9 investigating; i % 5: 0 hotline, 1 batch, else tip.
  const state = `CASE WHEN i % 10 < 6 THEN 'concluded' WHEN i % 10 = 6 THEN 'not_accepted' WHEN i % 10 = 7 THEN 'new' WHEN i % 10 = 8 THEN 'acknowledged' ELSE 'investigating' END`;
  const received = `CAST(:from + i * ${step} AS INTEGER)`;
  for (let from = 0; from < seed.count; from += CHUNK) {
    const to = Math.min(seed.count, from + CHUNK);
    const seq = `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${to})`;
    await client.batch(
      [
        {
          sql: `${seq}, x AS (SELECT i, ${state} AS state, ${received} AS at FROM n) INSERT INTO leads (id, source, subject, violation_type, region_code, target_name, institution_key, focus_areas, summary_enc, corroboration_count,
              team_id, state, outcome, substantiated_amount_fen, recovered_fen, fine_fen, measures, received_at, last_report_at, ack_by, accept_by, finish_by,
              acknowledged_at, accepted_at, closed_at, ack_work_hours, decide_work_days, close_work_days, version, created_at, updated_at)
            SELECT '${prefix}-' || i, CASE i % 5 WHEN 0 THEN 'hotline' WHEN 1 THEN 'batch' ELSE 'tip' END, 'medical_institution',
              ${pick(TYPES, `i % ${TYPES.length}`)}, ${pick(STATS_SEED_REGIONS, `i % ${STATS_SEED_REGIONS.length}`)},
              '${prefix} institution ' || i, '${prefix}institution' || i, ${pick(FOCUS_SETS, `i % ${FOCUS_SETS.length}`)}, 'v1.seed', 1 + (i % 7 = 0),
              ${teams.length ? pick(teams, `i % ${teams.length}`) : "NULL"}, x.state,
              CASE WHEN x.state = 'concluded' THEN ${pick(OUTCOMES, `i % ${OUTCOMES.length}`)} END,
              CASE WHEN x.state = 'concluded' AND i % 6 < 2 THEN 10000 + i % 1000 * 100 END,
              CASE WHEN x.state = 'concluded' AND i % 6 < 2 THEN 5000 + i % 500 * 100 END,
              CASE WHEN x.state = 'concluded' AND i % 6 < 2 THEN i % 300 * 100 END,
              CASE WHEN x.state = 'concluded' THEN ${pick(MEASURE_SETS, `i % ${MEASURE_SETS.length}`)} END,
              x.at, x.at, x.at + 4 * ${hour}, x.at + 21 * ${day}, x.at + 42 * ${day},
              CASE WHEN x.state <> 'new' THEN x.at + (1 + i % 6) * ${hour} END,
              CASE WHEN x.state IN ('concluded', 'investigating') THEN x.at + (1 + i % 15) * ${day} END,
              CASE WHEN x.state IN ('concluded', 'not_accepted') THEN x.at + (2 + i % 40) * ${day} END,
              CASE WHEN x.state <> 'new' THEN 1 + i % 6 END,
              CASE WHEN x.state IN ('concluded', 'investigating', 'not_accepted') THEN 1 + i % 15 END,
              CASE WHEN x.state IN ('concluded', 'not_accepted') THEN 2 + i % 40 END,
              1, x.at, x.at
            FROM x`,
          args: { from: seed.from },
        },
        {
          sql: `${seq} INSERT INTO reports (id, created_at, updated_at, channel, locale, status, subject, violation_type, province_code, region_code, target_name,
              occurred_from, description_enc, is_anonymous, is_insider, wants_reward, receipt_hash, content_hash, proof_key_id, proof_signature)
            SELECT '${prefix}-r' || i, ${received}, ${received}, 'web', 'zh-CN', 'received', 'medical_institution', 'ghost_admission', '510000', '510104', 'x',
              '2026-01-01', 'v1.seed', i % 3 = 0, i % 11 = 0, 0, '${prefix}-receipt-' || i, 'h', 'k', 's'
            FROM n WHERE i % 5 >= 2`,
          args: { from: seed.from },
        },
        {
          sql: `${seq} INSERT INTO lead_reports (lead_id, report_id, added_at) SELECT '${prefix}-' || i, '${prefix}-r' || i, ${received} FROM n WHERE i % 5 >= 2`,
          args: { from: seed.from },
        },
      ],
      "write",
    );
  }
}
