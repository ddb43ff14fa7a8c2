// The campaign tick's page events (`campaign.reminded`, one per campaign and page) read back as the
// slots they list, so tests can check that the log names every reminder a unit got.
import { eq } from "drizzle-orm";
import type { Db } from "../../src/db/client";
import { events } from "../../src/db/schema";
import { PAGE_EVENT_ACTION, PAGE_EVENT_COLUMNS } from "../../src/services/campaigns/reminders";

export interface LoggedReminder {
  campaignId: string;
  occurredAt: number;
  assignmentId: string;
  unitId: string;
  deliverableId: string;
  slot: string;
  kind: string;
  sendAt: number;
  dueAt: number;
  outboxId: string;
}

/** Every slot the page events list, in log order; the columns are read by the names the event stores. */
export async function loggedReminders(db: Db): Promise<LoggedReminder[]> {
  const rows = await db.select().from(events).where(eq(events.action, PAGE_EVENT_ACTION)).orderBy(events.id);
  return rows.flatMap((e) => {
    const data = JSON.parse(e.data ?? "{}") as { columns: string[]; slots: unknown[][] };
    if (data.columns.join() !== PAGE_EVENT_COLUMNS.join()) throw new Error(`page event ${e.id}: unexpected columns ${data.columns.join()}`);
    return data.slots.map((values) => ({ campaignId: e.entityId, occurredAt: e.occurredAt, ...Object.fromEntries(data.columns.map((c, i) => [c, values[i]])) }) as LoggedReminder);
  });
}
