// Slack side of campaign cards: a press on a campaign button (a modal asks for the submission note or the
// return reason) and the modal's submission. Called from app.ts; the meaning lives in
// src/services/campaigns/chat.ts.
import type { App } from "@slack/bolt";
import { z } from "zod";
import { answerCampaignPrompt, handleCampaignAction, type CampaignReply } from "../../services/campaigns/chat";
import type { CampaignAction } from "../../services/campaigns/messages";
import type { ChatUser } from "../../services/chat/types";
import type { ServiceDeps } from "../../services/deps";
import { modalAnswer, readModalMetadata, showAnswerOrModal } from "./answer-modal";

export const CAMPAIGN_PROMPT_CALLBACK = "fw_cprompt";

// Written by us, but it comes back through Slack: read as untrusted input.
const metadataSchema = z.object({
  purpose: z.enum(["submission_note", "return_reason"]),
  assignmentId: z.string().regex(/^asg_[A-Za-z0-9]{1,40}$/),
  channel: z.string().max(64).default(""),
});

const show = (deps: ServiceDeps, client: App["client"], reply: CampaignReply, input: { channel: string; user: string; triggerId?: string }) =>
  showAnswerOrModal(deps, client, { text: [reply.text, reply.privateText].filter(Boolean).join("\n"), prompt: reply.prompt }, {
    ...input,
    callbackId: CAMPAIGN_PROMPT_CALLBACK,
    metadata: reply.prompt ? { purpose: reply.prompt.purpose, assignmentId: reply.prompt.assignmentId, channel: input.channel } : {},
  });

export async function handleSlackCampaignAction(
  deps: ServiceDeps,
  input: { client: App["client"]; user: ChatUser; action: CampaignAction; assignmentId: string; updateKey: string; triggerId?: string },
): Promise<void> {
  const reply = await handleCampaignAction(deps, { user: input.user, action: input.action, assignmentId: input.assignmentId, updateKey: input.updateKey });
  // A repeated press of the unit-page button: its link was shown the first time (ephemerals have no dedupe).
  if (reply.replayed) return;
  await show(deps, input.client, reply, { channel: input.user.chatId, user: input.user.userId, ...(input.triggerId ? { triggerId: input.triggerId } : {}) });
}

export function registerCampaignViews(app: App, deps: ServiceDeps): void {
  app.view(CAMPAIGN_PROMPT_CALLBACK, async ({ ack, view, body, client }) => {
    await ack();
    const meta = readModalMetadata(metadataSchema, view.private_metadata);
    if (!meta) return;
    const text = modalAnswer(view.state.values);
    const user: ChatUser = { platform: "slack", userId: body.user.id, chatId: meta.channel, platformRef: view.id };
    const reply = await answerCampaignPrompt(deps, { user, purpose: meta.purpose, assignmentId: meta.assignmentId, text, updateKey: `slack:view:${view.id}` });
    await show(deps, client, { text: reply.text }, { channel: meta.channel, user: body.user.id });
  });
}
