// Which campaign units have someone to answer their reminders: a unit's reminders can only be
// acknowledged or submitted by an active contact of that unit with a chat account (enrolled by an
// invite). The preview, the start notice and the board flag units without one.
import { and, eq } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { members } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { isBound } from "../org/chat-accounts";

export interface UnitContactState {
  /** Active contacts of the unit. */
  contacts: number;
  /** Of them, those with a chat account (who can press Received / Submitted). */
  enrolled: number;
}

/** Ids per query (the list goes in as one JSON parameter; kept modest). */
const IDS_PER_QUERY = 1000;

/** Contacts per unit for these units (units without any contact are absent from the map). */
export async function contactStateByUnit(deps: ServiceDeps, unitIds: readonly string[]): Promise<Map<string, UnitContactState>> {
  const out = new Map<string, UnitContactState>();
  for (let i = 0; i < unitIds.length; i += IDS_PER_QUERY) {
    const ids = unitIds.slice(i, i + IDS_PER_QUERY);
    // members_unit_idx: only the contacts of these units are read.
    const rows = await deps.db
      .select({ unitId: members.unitId, telegramUserId: members.telegramUserId, slackUserId: members.slackUserId, feishuUserId: members.feishuUserId, dingtalkUserId: members.dingtalkUserId, wecomUserId: members.wecomUserId })
      .from(members)
      .where(and(inJsonArray(members.unitId, ids), eq(members.role, "contact"), eq(members.active, true)));
    for (const r of rows) {
      const state = out.get(r.unitId!) ?? { contacts: 0, enrolled: 0 };
      state.contacts++;
      if (isBound(r)) state.enrolled++;
      out.set(r.unitId!, state);
    }
  }
  return out;
}

/** True when nobody can acknowledge the unit's reminders. */
export const lacksEnrolledContact = (state: UnitContactState | undefined) => !state || state.enrolled === 0;
