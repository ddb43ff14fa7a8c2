// A press on a batch card or a batch share: acknowledge the batch for the team (b-ack), or open its
// triage page through a signed link sent privately (b-open).
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { refusalText } from "../refusals/refusal-text";
import type { Actor } from "../events";
import { acknowledgeBatch, BATCH_LINK_MINUTES, batchLinkForPress } from "../leads/batch-cards";
import { logRefusal, logUnknownUser } from "../leads/leads";
import { findMemberByChatUser } from "../org/org";
import { chatLocale, localeOf } from "./locale";
import type { ChatReply, ChatUser } from "./types";

export const BATCH_ACTIONS: ReadonlySet<string> = new Set(["b-ack", "b-open"]);

export async function handleBatchPress(deps: ServiceDeps, input: { user: ChatUser; action: string; batchId: string; updateKey: string }): Promise<ChatReply> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, await chatLocale(deps, input.user));
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: input.action, leadId: input.batchId, dedupeKey: input.updateKey });
    return { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  }
  const actor: Actor = { type: "member", id: member.id, role: member.role, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  if (!member.active || member.role === "finance") return { text: await refusalText(deps, locale, { scope: "batch", code: "not_permitted", actorId: member.id }) };
  if (input.action === "b-open") {
    const link = await batchLinkForPress(deps, { batchId: input.batchId, member, actor, updateKey: input.updateKey });
    if (!link) return { text: t(locale, "batch.unknown") };
    return { text: t(locale, "batch.btn_open"), privateText: t(locale, "batch.open_link", { id: input.batchId, minutes: BATCH_LINK_MINUTES, url: link.url }), ...(link.replayed ? { replayed: true } : {}) };
  }
  const acked = await acknowledgeBatch(deps, { batchId: input.batchId, member, platform: input.user.platform, chatId: input.user.chatId, actor, updateKey: input.updateKey });
  if (acked.status === "done") return { text: t(locale, "batch.acked", { team: acked.team.name }) };
  if (acked.status === "already") return { text: t(locale, "batch.already_acked", { name: acked.by ?? "—" }) };
  if (acked.status === "not_permitted") await logRefusal(deps, actor, input.batchId, input.action, "not_permitted", input.updateKey);
  return { text: acked.status === "unknown" ? t(locale, "batch.unknown") : await refusalText(deps, locale, { scope: "batch", code: "ack_not_permitted", actorId: member.id }) };
}
