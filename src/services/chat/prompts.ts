// Prompts: a member asked for free text (Telegram force-reply; the answer finds the prompt by the message
// it replies to). Lead, campaign and reward handlers all register and answer their prompts here.
import { and, desc, eq, gt, isNull, type SQL } from "drizzle-orm";
import { asBatch } from "../../db/client";
import { chatPrompts } from "../../db/schema";
import { keyedHash } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { enqueueStatement, sealEnqueueInput } from "../delivery/outbox";
import type { ChatUser } from "./types";

/** One open or answered prompt, as stored: what it asks for, of whom, about which lead, assignment or claim. */
export type ChatPrompt = typeof chatPrompts.$inferSelect;

/**
 * Registers a prompt before it is sent, so the reply can be matched to it. A prompt is about a lead, a
 * campaign assignment, or what its context names (a reward claim).
 */
export async function createPrompt(
  deps: ServiceDeps,
  input: {
    user: ChatUser;
    memberId: string;
    purpose: string;
    leadId?: string | null;
    assignmentId?: string | null;
    text: string;
    context?: Record<string, unknown>;
    replyToMessageId?: string | null;
    dedupeKey: string;
    /** How long the prompt takes an answer (default a day). */
    ttlMs?: number;
  },
): Promise<string> {
  // Derived from the update: a redelivered press finds its prompt instead of adding an orphan one.
  const id = `prm_${(await keyedHash(deps.keys, "prompt-id", input.dedupeKey)).slice(0, 22)}`;
  const now = deps.now().getTime();
  await deps.db.batch(
    asBatch([
      deps.db.insert(chatPrompts).values({
        id,
        platform: input.user.platform,
        chatId: input.user.chatId,
        memberId: input.memberId,
        leadId: input.leadId ?? null,
        assignmentId: input.assignmentId ?? null,
        purpose: input.purpose,
        context: JSON.stringify(input.context ?? {}),
        createdAt: now,
        expiresAt: now + (input.ttlMs ?? 24 * 3600_000),
      }).onConflictDoNothing(),
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, {
          dedupeKey: `prompt:${input.dedupeKey}`,
          platform: input.user.platform,
          chatId: input.user.chatId,
          kind: "prompt",
          leadId: input.leadId ?? null,
          payload: { promptId: id, message: { kind: "prompt", text: input.text, ...(input.replyToMessageId ? { replyToMessageId: input.replyToMessageId } : {}) } },
        }),
      ),
    ]),
  );
  deps.notifyOutbox?.();
  return id;
}

/** The newest prompt of this chat, matching `which`, still open and not expired. */
async function newestOpenPrompt(deps: ServiceDeps, input: { platform: string; chatId: string }, which: SQL): Promise<ChatPrompt | null> {
  return (
    (await deps.db.query.chatPrompts.findFirst({
      where: and(eq(chatPrompts.platform, input.platform), eq(chatPrompts.chatId, input.chatId), which, isNull(chatPrompts.answeredAt), gt(chatPrompts.expiresAt, deps.now().getTime())),
      orderBy: desc(chatPrompts.createdAt),
    })) ?? null
  );
}

/** The open prompt a reply answers (same chat, replying to the prompt's message, by the member it asked). */
export function findPromptForReply(deps: ServiceDeps, input: { platform: string; chatId: string; replyToMessageId: string }): Promise<ChatPrompt | null> {
  return newestOpenPrompt(deps, input, eq(chatPrompts.messageId, input.replyToMessageId));
}

/**
 * The newest open prompt of this member in their private chat with the bot (Feishu, DingTalk, WeCom ask
 * there, and any text that is not a command answers it: those platforms have no force-reply).
 */
export function findOpenPromptInChat(deps: ServiceDeps, input: { platform: string; chatId: string; memberId: string }): Promise<ChatPrompt | null> {
  return newestOpenPrompt(deps, input, eq(chatPrompts.memberId, input.memberId));
}

export async function markPromptAnswered(deps: ServiceDeps, promptId: string) {
  await deps.db.update(chatPrompts).set({ answeredAt: deps.now().getTime() }).where(eq(chatPrompts.id, promptId));
}
