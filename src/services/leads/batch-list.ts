// The workspace's screening batches for one member: coordinators every batch, a team's inspectors and
// team leads the batches that reached their team (its card), newest first, a page at a time; and who may
// open a batch's triage page from a workspace session (the signed link's rule: active, not finance;
// a unit's contact has no leads to triage).
import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import { batchCards, screeningBatches, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { BatchRow } from "./batch-triage";

export const BATCHES_PAGE = 50;

export interface BatchListItem {
  batch: BatchRow;
  /** Teams whose chat got the batch's card, and how many of them acknowledged it. */
  teams: number;
  acknowledged: number;
  /** The member's own team's card: its leads and whether (and by whom) it was acknowledged. */
  mine: { leadCount: number; acknowledgedBy: string | null; acknowledgedAt: number | null } | null;
}

export interface BatchList {
  items: BatchListItem[];
  /** Cursor of the next (older) page: `importedAt.id` of the last item. */
  next: string | null;
  scope: "all" | "team" | "none";
}

/** Who may triage from the workspace: members who handle leads. */
export const mayTriage = (m: MemberRow) => m.active && (m.role === "coordinator" || ((m.role === "team_lead" || m.role === "inspector") && m.teamId !== null));

const CURSOR = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/;

export async function listBatchesFor(deps: ServiceDeps, member: MemberRow, input: { after?: string | undefined } = {}): Promise<BatchList> {
  if (!mayTriage(member)) return { items: [], next: null, scope: "none" };
  const db = deps.db;
  const scope = member.role === "coordinator" ? "all" : "team";
  const cursor = CURSOR.exec(input.after ?? "");
  const older = cursor ? or(lt(screeningBatches.importedAt, Number(cursor[1])), and(eq(screeningBatches.importedAt, Number(cursor[1])), lt(screeningBatches.id, cursor[2]!))) : undefined;
  const reached = scope === "team" ? inArray(screeningBatches.id, db.select({ id: batchCards.batchId }).from(batchCards).where(eq(batchCards.teamId, member.teamId!))) : undefined;
  // Batches are few (a handful a month): newest first, a page at a time by (imported_at, id).
  const batches = await db
    .select()
    .from(screeningBatches)
    .where(and(older, reached))
    .orderBy(desc(screeningBatches.importedAt), desc(screeningBatches.id))
    .limit(BATCHES_PAGE + 1);
  const page = batches.slice(0, BATCHES_PAGE);
  if (page.length === 0) return { items: [], next: null, scope };
  const cards = await db
    .select({ batchId: batchCards.batchId, teamId: batchCards.teamId, leadCount: batchCards.leadCount, acknowledgedBy: batchCards.acknowledgedBy, acknowledgedAt: batchCards.acknowledgedAt })
    .from(batchCards)
    .where(inArray(batchCards.batchId, page.map((b) => b.id)));
  const items = page.map((batch) => {
    const own = cards.filter((c) => c.batchId === batch.id);
    const mine = member.teamId ? own.find((c) => c.teamId === member.teamId) : undefined;
    return {
      batch,
      teams: own.length,
      acknowledged: own.filter((c) => c.acknowledgedAt !== null).length,
      mine: mine ? { leadCount: mine.leadCount, acknowledgedBy: mine.acknowledgedBy, acknowledgedAt: mine.acknowledgedAt } : null,
    };
  });
  const last = page.at(-1)!;
  return { items, next: batches.length > BATCHES_PAGE ? `${last.importedAt}.${last.id}` : null, scope };
}

/** The batch for a workspace member who may triage; null when there is no such batch or the member may not. */
export async function batchForMember(deps: ServiceDeps, batchId: string, member: MemberRow): Promise<{ batch: BatchRow; member: MemberRow } | "forbidden" | null> {
  if (!mayTriage(member)) return "forbidden";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(batchId)) return null;
  const [batch] = await deps.db.select().from(screeningBatches).where(eq(screeningBatches.id, batchId));
  return batch ? { batch, member } : null;
}

