// Seeds many open leads fast (one INSERT ... SELECT over a recursive sequence per chunk) for scale tests
// and benchmarks: every lead holds its own cluster slot, is assigned round-robin to the team members,
// and has an escalation time either due (`due` of them) or a month ahead.
import type { Client } from "@libsql/client";

export interface SeedOptions {
  count: number;
  /** How many of them are due for escalation at `now` (their ack deadline passed an hour ago). */
  due?: number;
  now: number;
  /** Prefix of ids and institution names, so seeds can be told apart. */
  prefix?: string;
}

const CHUNK = 20_000;

export async function seedOpenLeads(client: Client, options: SeedOptions): Promise<void> {
  const prefix = options.prefix ?? "seed";
  const due = options.due ?? 0;
  const hour = 3_600_000;
  const assignees = (await client.execute("SELECT id, team_id FROM members WHERE team_id IS NOT NULL AND active = 1 AND role IN ('inspector','team_lead') ORDER BY id")).rows;
  if (assignees.length === 0) throw new Error("seedOpenLeads needs an organisation with inspectors (import one first)");
  const cases = (column: "id" | "team_id") => `CASE (i % ${assignees.length}) ${assignees.map((m, k) => `WHEN ${k} THEN '${String(m[column])}'`).join(" ")} END`;
  for (let from = 0; from < options.count; from += CHUNK) {
    const to = Math.min(options.count, from + CHUNK);
    await client.batch(
      [
        {
          sql: `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${to})
            INSERT INTO leads (id, source, subject, violation_type, region_code, target_name, institution_key, summary_enc, corroboration_count,
              team_id, assignee_id, state, received_at, last_report_at, ack_by, accept_by, finish_by, version, cluster_slot, next_escalation_at, created_at, updated_at)
            SELECT '${prefix}-' || i, 'tip', 'medical_institution', 'ghost_admission', '510104', '${prefix} institution ' || i, '${prefix}institution' || i, 'v1.seed', 1,
              ${cases("team_id")}, ${cases("id")}, CASE WHEN i >= ${due} AND i % 3 = 0 THEN 'acknowledged' ELSE 'new' END,
              :received, :received,
              CASE WHEN i < ${due} THEN :now - ${hour} ELSE :now + 30 * 24 * ${hour} END,
              :now + 15 * 24 * ${hour}, :now + 30 * 24 * ${hour}, 1,
              '${prefix}institution' || i || '|ghost_admission|51',
              CASE WHEN i < ${due} THEN :now - ${hour} ELSE :now + 30 * 24 * ${hour} END,
              :received, :received
            FROM n`,
          args: { received: options.now - 2 * hour, now: options.now },
        },
        {
          sql: `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${to})
            INSERT INTO lead_versions (lead_id, version, created_at) SELECT '${prefix}-' || i, 1, :now FROM n`,
          args: { now: options.now },
        },
      ],
      "write",
    );
  }
}
