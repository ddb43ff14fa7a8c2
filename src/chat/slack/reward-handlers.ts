// Slack side of reward claim cards: a press (a modal asks for the reason, question or payment
// reference) and the modal's submission. Called from app.ts; the meaning lives in
// src/services/rewards/reward-chat.ts.
import type { App } from "@slack/bolt";
import { z } from "zod";
import type { ChatUser } from "../../services/chat/types";
import type { ServiceDeps } from "../../services/deps";
import { answerRewardPrompt, handleRewardAction, REWARD_PROMPT_PURPOSES, type RewardAction, type RewardReply } from "../../services/rewards/reward-chat";
import { modalAnswer, readModalMetadata, showAnswerOrModal } from "./answer-modal";

export const REWARD_PROMPT_CALLBACK = "fw_rprompt";

// Written by us, but it comes back through Slack: read as untrusted input.
const metadataSchema = z.object({
  purpose: z.enum(REWARD_PROMPT_PURPOSES),
  claimId: z.string().regex(/^rwd_[A-Za-z0-9]{1,40}$/),
  channel: z.string().max(64).default(""),
});

const show = (deps: ServiceDeps, client: App["client"], reply: RewardReply, input: { channel: string; user: string; triggerId?: string }) =>
  showAnswerOrModal(deps, client, reply, {
    ...input,
    callbackId: REWARD_PROMPT_CALLBACK,
    metadata: reply.prompt ? { purpose: reply.prompt.purpose, claimId: reply.prompt.claimId, channel: input.channel } : {},
  });

export async function handleSlackRewardAction(
  deps: ServiceDeps,
  input: { client: App["client"]; user: ChatUser; action: RewardAction; claimId: string; updateKey: string; triggerId?: string },
): Promise<void> {
  const reply = await handleRewardAction(deps, { user: input.user, action: input.action, claimId: input.claimId, updateKey: input.updateKey });
  await show(deps, input.client, reply, { channel: input.user.chatId, user: input.user.userId, ...(input.triggerId ? { triggerId: input.triggerId } : {}) });
}

export function registerRewardViews(app: App, deps: ServiceDeps): void {
  app.view(REWARD_PROMPT_CALLBACK, async ({ ack, view, body, client }) => {
    await ack();
    const meta = readModalMetadata(metadataSchema, view.private_metadata);
    if (!meta) return;
    const text = modalAnswer(view.state.values);
    const user: ChatUser = { platform: "slack", userId: body.user.id, chatId: meta.channel, platformRef: view.id };
    const reply = await answerRewardPrompt(deps, { user, purpose: meta.purpose, claimId: meta.claimId, text });
    await show(deps, client, { text: reply.text }, { channel: meta.channel, user: body.user.id });
  });
}
