// Inviting and deactivating a member from the workspace's people page: the same use cases as chat's
// /invite and /deactivate (createInvite, deactivateMember: same events, same notices) with the page's
// rules on top (people.ts: coordinators only, finance and coordinators left to an operator), the web
// actor (platform web, the session as reference) and the form's key as the dedupe key, so a form
// submitted twice takes effect once and an invite posted again shows the same code.
import { eq } from "drizzle-orm";
import { events, members, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { logOperatorOnlyRefusal } from "../org/enrolment-rules";
import { createInvite } from "../org/invites";
import { deactivateMember } from "../org/members";
import { deactivateBlock, inScope, inviteBlock, peopleForbidden, peopleScopeOf, type PersonActionBlock } from "./people";

/** A form's key: random, made when the page was rendered. */
export const FORM_KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export interface WorkspaceActor {
  member: MemberRow;
  sessionId: string;
}

export type PeopleActionResult =
  | { status: "invited"; target: MemberRow; code: string; expiresAt: Date }
  | { status: "deactivated"; target: MemberRow }
  | { status: "refused"; reason: PersonActionBlock | "unknown_member"; target: MemberRow | null };

const webActor = (a: WorkspaceActor): Actor => ({ type: "member", id: a.member.id, role: a.member.role, platform: "web", platformRef: a.sessionId });

/** The form's key as an event dedupe key: bound to the session, the action and the person. */
const dedupeKeyOf = (a: WorkspaceActor, action: string, targetId: string, key: string) => `web:${a.sessionId}:${action}:${targetId}:${key}`;

/** The target, if the viewer may see them (someone outside the viewer's scope is as unknown as a wrong id). */
async function visibleTarget(deps: ServiceDeps, actor: WorkspaceActor, targetId: string): Promise<MemberRow | null> {
  const scope = peopleScopeOf(actor.member);
  if (!scope) throw peopleForbidden();
  const target = (await deps.db.query.members.findFirst({ where: eq(members.id, targetId) })) ?? null;
  return target && inScope(scope, target) ? target : null;
}

/** A refused page action, logged once per form (like chat's refusals). */
async function logRefusal(deps: ServiceDeps, actor: WorkspaceActor, input: { action: string; target: MemberRow; reason: PersonActionBlock; dedupeKey: string }): Promise<void> {
  if (input.reason === "operator_only" && input.action === "invite") {
    await logOperatorOnlyRefusal(deps, webActor(actor), { command: "invite", role: input.target.role, memberId: input.target.id, dedupeKey: input.dedupeKey });
    return;
  }
  try {
    await deps.db.insert(events).values(
      eventRow(webActor(actor), {
        occurredAt: deps.now().getTime(),
        entityType: "member",
        entityId: input.target.id,
        action: `member.${input.action}_refused`,
        data: JSON.stringify({ role: input.target.role, reason: input.reason }),
        dedupeKey: `${input.dedupeKey}:refused`,
      }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

/** Invites a member from the page (the code is shown to the inviter only, once per form). */
export async function inviteFromWorkspace(deps: ServiceDeps, actor: WorkspaceActor, input: { targetId: string; key: string }): Promise<PeopleActionResult> {
  const target = await visibleTarget(deps, actor, input.targetId);
  if (!target) return { status: "refused", reason: "unknown_member", target: null };
  const dedupeKey = dedupeKeyOf(actor, "invite", target.id, input.key);
  const block = inviteBlock(actor.member, target);
  if (block) {
    await logRefusal(deps, actor, { action: "invite", target, reason: block, dedupeKey });
    return { status: "refused", reason: block, target };
  }
  try {
    const { code, expiresAt } = await createInvite(deps, { memberId: target.id, actor: webActor(actor), dedupeKey });
    return { status: "invited", target, code, expiresAt };
  } catch (err) {
    // Enrolled meanwhile (a concurrent redemption): refused as chat refuses it.
    if (err instanceof AppError && err.options.details?.reason === "member_bound") return { status: "refused", reason: "enrolled", target };
    throw err;
  }
}

/** Deactivates a member from the page: chat accounts and workspace sessions end at once. */
export async function deactivateFromWorkspace(deps: ServiceDeps, actor: WorkspaceActor, input: { targetId: string; key: string }): Promise<PeopleActionResult> {
  const target = await visibleTarget(deps, actor, input.targetId);
  if (!target) return { status: "refused", reason: "unknown_member", target: null };
  const dedupeKey = dedupeKeyOf(actor, "deactivate", target.id, input.key);
  const block = deactivateBlock(actor.member, target);
  if (block) {
    // The same form posted again after it worked finds the member inactive: that is its first answer again.
    if (block === "inactive" && (await deps.db.query.events.findFirst({ columns: { id: true }, where: eq(events.dedupeKey, dedupeKey) }))) return { status: "deactivated", target };
    await logRefusal(deps, actor, { action: "deactivate", target, reason: block, dedupeKey });
    return { status: "refused", reason: block, target };
  }
  const done = await deactivateMember(deps, { memberId: target.id, actor: webActor(actor), dedupeKey });
  return done ? { status: "deactivated", target: done } : { status: "refused", reason: "unknown_member", target: null };
}
