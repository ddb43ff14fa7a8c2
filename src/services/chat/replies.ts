// Answers to one chat update, queued through the durable outbox: to the chat it came from, or privately.
import { asBatch } from "../../db/client";
import type { ServiceDeps } from "../deps";
import { enqueueStatement, sealEnqueueInput } from "../delivery/outbox";
import type { ChatUser } from "./types";
import { privateChatIdOf } from "../../chat/types";

/**
 * The chat a private message to this person goes to: the private chat with the bot on Telegram (its id is
 * the user id), the app's direct messages on Slack (chat.postMessage accepts a user id as channel), and
 * `user:<id>` on Feishu, DingTalk and WeCom (see privateChatIdOf).
 */
export function privateChatId(user: ChatUser): string {
  return privateChatIdOf(user.platform, user.userId);
}

/**
 * Queues the answer to one update through the durable outbox, keyed by the update: a redelivered update
 * queues nothing new, and the answer still arrives after a platform outage. `publicText` goes to the chat the
 * update came from (as a reply to `replyToMessageId`); `reply.privateText` to the person only.
 */
export async function queueReplies(
  deps: ServiceDeps,
  input: { user: ChatUser; updateKey: string; publicText?: string; replyToMessageId?: string | null; privateText?: string },
): Promise<void> {
  const statements: unknown[] = [];
  if (input.publicText)
    statements.push(
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, {
          dedupeKey: `reply:${input.updateKey}`,
          platform: input.user.platform,
          chatId: input.user.chatId,
          kind: "text",
          payload: { message: { kind: "text", text: input.publicText, ...(input.replyToMessageId ? { replyToMessageId: input.replyToMessageId } : {}) } },
        }),
      ),
    );
  if (input.privateText)
    statements.push(
      // Invite codes and case links are credentials: sealed at rest like every payload.
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, {
          dedupeKey: `private:${input.updateKey}`,
          platform: input.user.platform,
          chatId: privateChatId(input.user),
          kind: "text",
          payload: { message: { kind: "text", text: input.privateText } },
        }),
      ),
    );
  if (statements.length === 0) return;
  await deps.db.batch(asBatch(statements));
  deps.notifyOutbox?.();
}
