// /nudge: re-pings the units that have not submitted a deliverable, each at most once per cool-down
// (CAMPAIGN_NUDGE_COOLDOWN_HOURS, default 4 h). One batch: the nudge times (guarded, so two coordinators
// nudging at once cannot both get through), a reminder_slots row, an event and a message per unit.
// `/nudge KEY read` (and the board's "nudge those who read") reaches only the units whose reminder one
// of their contacts read (read receipts) without pressing Received.
import { eq, sql } from "drizzle-orm";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusyWrite } from "../../db/retry";
import { assignments, campaigns, deliverables, events, reminderSlots, units, type MemberRow, type NewEventRow, type UnitRow } from "../../db/schema";
import { enqueueManyStatements, type EnqueueInput } from "../delivery/outbox";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { actorOf, type AssignmentPlatform } from "./assignment-context";
import { isCoordinator, mayActForUnit } from "./units";
import { unitMessage } from "./messages";
import { chunkedStatements } from "../../db/chunk";
import { readersOf } from "../read-receipts/readers";

export type NudgeResult =
  | { status: "done"; nudged: UnitRow[]; coolingDown: UnitRow[] }
  | { status: "duplicate" }
  | { status: "refused"; reason: "not_permitted" | "unknown_deliverable" | "changed_meanwhile" };

export async function nudgeDeliverable(
  deps: ServiceDeps,
  /** `unitId`: only that unit (a nudge from its cell on the workspace board); otherwise every unit waiting. */
  input: {
    deliverableId: string;
    actor: MemberRow;
    platform: AssignmentPlatform;
    platformRef?: string | null;
    dedupeKey: string;
    unitId?: string;
    /** Only units whose waiting assignment was read (read receipts) and not acknowledged. */
    only?: "read_not_acknowledged";
  },
): Promise<NudgeResult> {
  if (!isCoordinator(input.actor)) return { status: "refused", reason: "not_permitted" };
  const actor = actorOf(input.actor, input.platform, input.platformRef);
  const db = deps.db;
  const cooldownMs = (deps.config.CAMPAIGN_NUDGE_COOLDOWN_HOURS ?? 4) * 3_600_000;
  for (let attempt = 0; attempt < 4; attempt++) {
    const [found, rows, earlier] = await db.batch([
      db.select({ deliverable: deliverables, campaign: campaigns }).from(deliverables).innerJoin(campaigns, eq(campaigns.id, deliverables.campaignId)).where(eq(deliverables.id, input.deliverableId)),
      db.select({ assignment: assignments, unit: units }).from(assignments).innerJoin(units, eq(units.id, assignments.unitId)).where(eq(assignments.deliverableId, input.deliverableId)),
      db.select({ id: events.id }).from(events).where(eq(events.dedupeKey, input.dedupeKey)),
    ]);
    if (earlier[0]) return { status: "duplicate" };
    const target = found[0];
    if (!target) return { status: "refused", reason: "unknown_deliverable" };
    const now = deps.now().getTime();
    const cutoff = now - cooldownMs;
    // Per unit, its earliest period not submitted (a recurring deliverable nudges for the oldest one).
    const waiting = new Map<string, (typeof rows)[number]>();
    for (const r of rows.sort((x, y) => x.assignment.dueAt - y.assignment.dueAt)) {
      if (input.unitId !== undefined && r.unit.id !== input.unitId) continue;
      if ((r.assignment.state === "open" || r.assignment.state === "returned") && r.unit.active && !waiting.has(r.unit.id)) waiting.set(r.unit.id, r);
    }
    if (input.only === "read_not_acknowledged") {
      const read = await readersOf(deps, "assignment", [...waiting.values()].map((r) => r.assignment.id));
      for (const [unitId, r] of waiting)
        if (r.assignment.receivedVersion === r.assignment.dueVersion || !read.get(r.assignment.id)?.some((reader) => mayActForUnit(reader, unitId))) waiting.delete(unitId);
    }
    const due = [...waiting.values()].filter((r) => r.assignment.lastNudgedAt === null || r.assignment.lastNudgedAt <= cutoff);
    const coolingDown = [...waiting.values()].filter((r) => !due.includes(r)).map((r) => r.unit);
    // The command's own event carries the dedupe key, so a redelivered /nudge nudges nobody twice.
    const commandEvent = db.insert(events).values(
      eventRow(actor, {
        occurredAt: now,
        entityType: "deliverable",
        entityId: target.deliverable.id,
        action: "deliverable.nudged",
        data: JSON.stringify({ nudged: due.map((r) => r.unit.id), coolingDown: coolingDown.map((u) => u.id), ...(input.only ? { only: input.only } : {}) }),
        dedupeKey: input.dedupeKey,
      }),
    );
    const statements: unknown[] = [commandEvent];
    const outbox: EnqueueInput[] = [];
    const eventRows: NewEventRow[] = [];
    for (const { assignment: a, unit } of due) {
      // Fails the batch (NOT NULL) if the unit was nudged or changed since it was read.
      statements.push(
        db
          .update(assignments)
          .set({
            lastNudgedAt: now,
            version: sql`CASE WHEN ${assignments.version} = ${a.version} AND (${assignments.lastNudgedAt} IS NULL OR ${assignments.lastNudgedAt} <= ${cutoff}) THEN ${assignments.version} ELSE NULL END`,
          })
          .where(eq(assignments.id, a.id)),
      );
      const outboxId = newId("out");
      const slot = `nudge:${now}`;
      statements.push(db.insert(reminderSlots).values({ assignmentId: a.id, slot, kind: "nudge", sendAt: now, dueAt: a.dueAt, claimedAt: now, outboxId }).onConflictDoNothing());
      outbox.push({ id: outboxId, dedupeKey: `nudge:${a.id}:${now}`, platform: unit.platform as EnqueueInput["platform"], chatId: unit.chatId, kind: "text", payload: { message: unitMessage({ campaign: target.campaign, deliverable: target.deliverable, unit, assignment: a }, "nudge"), watchReads: { entityType: "assignment", entityId: a.id } } });
      eventRows.push(eventRow(actor, { occurredAt: now, entityType: "assignment", entityId: a.id, action: "assignment.nudged", data: JSON.stringify({ slot, unitId: unit.id, deliverableId: a.deliverableId, ...(input.only ? { only: input.only } : {}) }) }));
    }
    if (outbox.length) statements.push(...enqueueManyStatements(deps, outbox), ...chunkedStatements(eventRows, (part) => db.insert(events).values(part)));
    try {
      await retryBusyWrite(db, () => db.batch(asBatch(statements)));
    } catch (err) {
      const c = failedConstraint(err);
      if (c?.kind === "unique" && c.columns === "events.dedupe_key") return { status: "duplicate" };
      if (c?.kind === "not_null" && c.columns === "assignments.version") continue;
      throw err;
    }
    if (outbox.length) deps.notifyOutbox?.();
    return { status: "done", nudged: due.map((r) => r.unit), coolingDown };
  }
  return { status: "refused", reason: "changed_meanwhile" };
}
