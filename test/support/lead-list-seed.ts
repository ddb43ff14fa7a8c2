// Seeds many varied leads in one INSERT … SELECT over a recursive sequence per chunk, for the workspace's
// lead list: every filter finds some (state, source, region, type, team, assignee and deadlines cycle
// with the row number), two leads share each received time (the keyset's tie on id), and lead i is
// i/2 minutes older than `newest`. Handlers are the organisation's active inspectors and team leads.
import type { Client } from "@libsql/client";

export const SEED_STATES = ["new", "acknowledged", "accepted", "investigating", "concluded", "not_accepted"] as const;
export const SEED_SOURCES = (i: number) => (i % 10 === 0 ? "hotline" : i % 10 === 1 ? "batch" : "tip");
export const SEED_REGIONS = ["510104", "510107", "510703"] as const;
export const SEED_TYPES = ["ghost_admission", "split_hospitalisation", "over_treatment", "duplicate_billing"] as const;

export interface ListSeed {
  count: number;
  /** Received time of lead 0 (the newest). */
  newest: number;
  /** `now` for deadlines: every fifth lead's deadlines are an hour before it, the others a month after. */
  now: number;
  prefix?: string;
}

/** The handlers the seed assigns to, in its round-robin order. */
export async function seedHandlers(client: Client): Promise<{ id: string; teamId: string }[]> {
  const rows = (await client.execute("SELECT id, team_id FROM members WHERE team_id IS NOT NULL AND active = 1 AND role IN ('inspector','team_lead') ORDER BY id")).rows;
  return rows.map((r) => ({ id: String(r.id), teamId: String(r.team_id) }));
}

export async function seedListLeads(client: Client, seed: ListSeed): Promise<void> {
  const prefix = seed.prefix ?? "ls";
  const handlers = await seedHandlers(client);
  if (handlers.length === 0) throw new Error("seedListLeads needs an organisation with inspectors");
  const pick = (list: readonly string[], mod: string) => `CASE (${mod}) ${list.map((v, k) => `WHEN ${k} THEN '${v}'`).join(" ")} END`;
  const hour = 3_600_000;
  const chunk = 25_000;
  for (let from = 0; from < seed.count; from += chunk) {
    const to = Math.min(seed.count, from + chunk);
    await client.execute({
      sql: `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${to})
        INSERT INTO leads (id, source, subject, violation_type, region_code, target_name, institution_key, summary_enc, corroboration_count,
          team_id, assignee_id, state, received_at, last_report_at, ack_by, accept_by, finish_by, version, created_at, updated_at)
        SELECT '${prefix}-' || printf('%07d', i), CASE WHEN i % 10 = 0 THEN 'hotline' WHEN i % 10 = 1 THEN 'batch' ELSE 'tip' END,
          'medical_institution', ${pick(SEED_TYPES, `i % ${SEED_TYPES.length}`)}, ${pick(SEED_REGIONS, `i % ${SEED_REGIONS.length}`)},
          '${prefix} institution ' || i, '${prefix}institution' || i, 'v1.seed', 1,
          ${pick(handlers.map((h) => h.teamId), `i % ${handlers.length}`)}, ${pick(handlers.map((h) => h.id), `i % ${handlers.length}`)},
          ${pick(SEED_STATES, `i % ${SEED_STATES.length}`)},
          :newest - (i / 2) * 60000, :newest - (i / 2) * 60000,
          CASE WHEN i % 5 = 0 THEN :now - ${hour} ELSE :now + 30 * 24 * ${hour} END,
          CASE WHEN i % 5 = 0 THEN :now - ${hour} ELSE :now + 30 * 24 * ${hour} END,
          CASE WHEN i % 5 = 0 THEN :now - ${hour} ELSE :now + 30 * 24 * ${hour} END,
          1, :newest, :newest
        FROM n`,
      args: { newest: seed.newest, now: seed.now },
    });
  }
}
