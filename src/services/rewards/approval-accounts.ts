// Which chat accounts stand behind a reward approval. Two approvals by two members are not enough when
// one chat account can act for both (an account re-enrolled under another member): the second approval
// must come from an account that neither gave the first approval nor ever acted for its member.
import { eq } from "drizzle-orm";
import type { Platform } from "../../chat/types";
import { members, type MemberRow, type RewardClaimRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { ACCOUNT_FIELDS, isAccountPlatform } from "../org/chat-accounts";
import { enrolledAccounts } from "../org/enrolment-rules";

/** `<platform>:<user id>` from chat (`telegram:…`, `feishu:ou_…`); `cli:member:<id>` / `web:member:<id>` otherwise. */
export function approvalAccount(input: { member: Pick<MemberRow, "id">; platform: Platform | "web" | "cli"; platformUserId?: string | undefined }): string {
  return input.platformUserId && isAccountPlatform(input.platform) ? `${input.platform}:${input.platformUserId}` : `${input.platform}:member:${input.member.id}`;
}

/** Every account column, for a query that reads only what enrolledAccounts needs. */
const ACCOUNT_COLUMNS = Object.fromEntries(Object.values(ACCOUNT_FIELDS).map((f) => [f, true])) as Record<(typeof ACCOUNT_FIELDS)[keyof typeof ACCOUNT_FIELDS], true>;

/**
 * `via`: the account of this approval (stored with the first one). For the second (finance) approval,
 * `approver` is that account plus every account the approving member was enrolled from, and `first` the
 * first approval's account plus every account its member was enrolled from; the rule compares them.
 */
export async function approvalAccounts(
  deps: ServiceDeps,
  input: { member: MemberRow; platform: Platform | "web" | "cli"; platformUserId?: string | undefined; firstApproval: RewardClaimRow; financeStep: boolean },
): Promise<{ via: string; approver: string[]; first: string[] }> {
  const via = approvalAccount(input);
  if (!input.financeStep) return { via, approver: [via], first: [] };
  const firstMember = input.firstApproval.coordinatorApprovedBy
    ? await deps.db.query.members.findFirst({ columns: { id: true, ...ACCOUNT_COLUMNS }, where: eq(members.id, input.firstApproval.coordinatorApprovedBy) })
    : undefined;
  const [approverEnrolled, firstEnrolled] = await Promise.all([enrolledAccounts(deps, input.member), firstMember ? enrolledAccounts(deps, firstMember) : Promise.resolve([])]);
  const first = [...(input.firstApproval.coordinatorApprovedVia ? [input.firstApproval.coordinatorApprovedVia] : []), ...firstEnrolled];
  return { via, approver: [via, ...approverEnrolled], first };
}
