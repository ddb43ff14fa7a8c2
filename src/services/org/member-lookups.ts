// Looking a member up by id for the pages behind signed links (the link names the member; the row
// says whether they may still act). One primary-key read.
import { eq } from "drizzle-orm";
import { members, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";

export type { MemberRow } from "../../db/schema";

export async function findMember(deps: ServiceDeps, memberId: string): Promise<MemberRow | null> {
  return (await deps.db.query.members.findFirst({ where: eq(members.id, memberId) })) ?? null;
}
