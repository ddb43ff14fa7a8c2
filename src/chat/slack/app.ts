// Slack through @slack/bolt, fed by Hono: one URL (POST /webhooks/slack) takes events, interactivity
// and the /fundwatch slash command. Requests are verified (./receiver.ts: HMAC-SHA256 of v0:timestamp:body,
// timestamp within five minutes either way), acknowledged within Slack's three seconds, and the work
// continues after the acknowledgement (waitUntil on Workers).
import { App } from "@slack/bolt";
import type { Context } from "hono";
import { z } from "zod";
import type { ServiceDeps } from "../../services/deps";
import { escapeMrkdwn } from "./adapter";
import { answerPrompt, handleCardAction, handleCommand } from "../../services/chat/dispatch";
import type { ChatReply, ChatUser, PromptPurpose } from "../../services/chat/types";
import { isCampaignAction } from "../../services/campaigns/messages";
import { handleSlackCampaignAction, registerCampaignViews } from "./campaign-handlers";
import { isRewardAction } from "../../services/rewards/reward-chat";
import { handleSlackRewardAction, registerRewardViews } from "./reward-handlers";
import { readModalMetadata } from "./answer-modal";
import { HonoReceiver, parseBody, verifySlackSignature } from "./receiver";

export interface SlackAppOptions {
  token: string;
  signingSecret: string;
  apiUrl?: string;
  botId?: string;
  botUserId?: string;
  fetch?: typeof fetch;
}

/** Cap on each Web API call made after the ack (a hung Slack must not hold the work for minutes). */
const CALL_TIMEOUT_MS = 3000;

export { verifySlackSignature } from "./receiver";

const PROMPT_CALLBACK = "fw_prompt";

// The modal's metadata was written by us, but it comes back through Slack: read it as untrusted input.
const promptMetadataSchema = z.object({
  purpose: z.enum(["decline_reason", "conclude_amount", "ask_tipster", "reassign"]),
  leadId: z.string().min(1).max(64),
  context: z.record(z.string(), z.unknown()).default({}),
  channel: z.string().max(64).default(""),
});

const parsePromptMetadata = (raw: string) => readModalMetadata(promptMetadataSchema, raw) as (z.infer<typeof promptMetadataSchema> & { purpose: PromptPurpose }) | null;

export interface SlackIntegration {
  handle(c: Context, waitUntil: (p: Promise<unknown>) => void): Promise<Response>;
}

export function createSlackIntegration(deps: ServiceDeps, options: SlackAppOptions): SlackIntegration {
  const receiver = new HonoReceiver();
  const app = new App({
    token: options.token,
    receiver,
    botId: options.botId ?? "B00000000",
    botUserId: options.botUserId ?? "U00000000",
    tokenVerificationEnabled: false,
    clientOptions: {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl.endsWith("/") ? options.apiUrl : `${options.apiUrl}/` } : {}),
      retryConfig: { retries: 0 },
      timeout: CALL_TIMEOUT_MS,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    } as ConstructorParameters<typeof App>[0] extends infer O ? (O extends { clientOptions?: infer C } ? C : never) : never,
  });

  /** Shows the answer to the person (modal or ephemeral message); a failed call is logged, not retried. */
  async function show(reply: ChatReply, input: { client: App["client"]; channel: string; user: string; triggerId?: string; leadId?: string; threadTs?: string }) {
    try {
      await showNow(reply, input);
    } catch (err) {
      deps.log.warn("slack answer not shown", { error: err instanceof Error ? err.message : String(err) });
    }
  }

  async function showNow(reply: ChatReply, input: { client: App["client"]; channel: string; user: string; triggerId?: string; leadId?: string; threadTs?: string }) {
    if (reply.prompt && input.triggerId) {
      await input.client.views.open({
        trigger_id: input.triggerId,
        view: {
          type: "modal",
          callback_id: PROMPT_CALLBACK,
          private_metadata: JSON.stringify({ purpose: reply.prompt.purpose, leadId: reply.prompt.leadId, context: reply.prompt.context ?? {}, channel: input.channel }),
          title: { type: "plain_text", text: "FundWatch" },
          submit: { type: "plain_text", text: "OK" },
          blocks: [
            // A clustered lead: the question goes to one tipster, picked here.
            ...(reply.prompt.tipChoices?.length
              ? [
                  {
                    type: "input" as const,
                    block_id: "tip",
                    label: { type: "plain_text" as const, text: "#" },
                    element: {
                      type: "static_select" as const,
                      action_id: "choice",
                      options: reply.prompt.tipChoices.slice(0, 100).map((c) => ({ text: { type: "plain_text" as const, text: c.label.slice(0, 75) }, value: String(c.tipNo) })),
                    },
                  },
                ]
              : []),
            { type: "input", block_id: "answer", label: { type: "plain_text", text: reply.prompt.text.slice(0, 1900) }, element: { type: "plain_text_input", action_id: "text", multiline: reply.prompt.purpose !== "conclude_amount" } },
          ],
        },
      });
      return;
    }
    // Replies can quote citizen text (target names, tipster answers): inert in mrkdwn.
    const text = escapeMrkdwn([reply.text, reply.privateText].filter(Boolean).join("\n"));
    // Nothing to say (an unknown action): the ack was the whole answer.
    if (!text || !input.channel) return;
    await input.client.chat.postEphemeral({ channel: input.channel, user: input.user, text });
  }

  app.action(/^fw:/, async ({ ack, body, action, client }) => {
    await ack();
    const b = body as { user?: { id?: string }; channel?: { id: string }; trigger_id?: string; message?: { ts: string } };
    const a = action as { action_id: string; value?: string; action_ts?: string };
    if (!b.user?.id || !a.action_ts) return;
    const user: ChatUser = { platform: "slack", userId: b.user.id, chatId: b.channel?.id ?? "", platformRef: b.message?.ts ?? null };
    // One press, one key, from the signed payload: a Slack retry (X-Slack-Retry-Num) or a replay of the same
    // signed request within its five minutes carries the same action_ts, user and message, so it counts once.
    const updateKey = `slack:action:${a.action_ts}:${a.action_id}:${b.user.id}:${b.message?.ts ?? "-"}`;
    const campaignAction = a.action_id.slice(3);
    if (isCampaignAction(campaignAction))
      return handleSlackCampaignAction(deps, { client, user, action: campaignAction, assignmentId: a.value ?? "", updateKey, ...(b.trigger_id ? { triggerId: b.trigger_id } : {}) });
    if (isRewardAction(campaignAction))
      return handleSlackRewardAction(deps, { client, user, action: campaignAction, claimId: a.value ?? "", updateKey, ...(b.trigger_id ? { triggerId: b.trigger_id } : {}) });
    const reply = await handleCardAction(deps, { user, action: a.action_id.slice(3), leadId: a.value ?? "", updateKey });
    // The link of a repeated press was shown the first time: an ephemeral answer has no dedupe of its own.
    if (reply.replayed) return;
    await show(reply, { client, channel: user.chatId, user: user.userId, triggerId: b.trigger_id, threadTs: b.message?.ts });
  });

  app.view(PROMPT_CALLBACK, async ({ ack, view, body, client }) => {
    await ack();
    const meta = parsePromptMetadata(view.private_metadata);
    if (!meta) return;
    const text = (view.state.values.answer?.text as { value?: string } | undefined)?.value ?? "";
    const tipNo = (view.state.values.tip?.choice as { selected_option?: { value?: string } } | undefined)?.selected_option?.value;
    const user: ChatUser = { platform: "slack", userId: body.user.id, chatId: meta.channel, platformRef: view.id };
    const context = tipNo ? { ...meta.context, tipNo } : meta.context;
    const reply = await answerPrompt(deps, { user, purpose: meta.purpose, leadId: meta.leadId, text, context, updateKey: `slack:view:${view.id}` });
    await show({ text: reply.text }, { client, channel: meta.channel, user: body.user.id });
  });

  registerCampaignViews(app, deps);
  registerRewardViews(app, deps);

  app.command("/fundwatch", async ({ ack, command, respond }) => {
    const [sub = "help", ...args] = (command.text ?? "").trim().split(/\s+/).filter(Boolean);
    const user: ChatUser = { platform: "slack", userId: command.user_id, chatId: command.channel_id, platformRef: command.trigger_id };
    const reply = await handleCommand(deps, { user, command: sub, args, updateKey: `slack:command:${command.trigger_id}`, isPrivateChat: command.channel_name === "directmessage" });
    // The answer is ready well inside three seconds: acknowledge with it instead of a second call.
    await ack({ response_type: "ephemeral", text: escapeMrkdwn([reply.text, reply.privateText].filter(Boolean).join("\n")) });
    void respond;
  });

  app.error(async (err) => {
    deps.log.error("slack handler failed", { error: err.message });
  });

  return {
    async handle(c, waitUntil) {
      const raw = await c.req.text();
      const ok = await verifySlackSignature({
        signingSecret: options.signingSecret,
        timestamp: c.req.header("x-slack-request-timestamp"),
        signature: c.req.header("x-slack-signature"),
        body: raw,
        nowSeconds: Math.floor(deps.now().getTime() / 1000),
      });
      if (!ok) {
        deps.log.warn("slack request rejected: bad or stale signature");
        return c.json({ error: { code: "unauthorized", message: "invalid Slack signature" } }, 401);
      }
      const body = parseBody(c.req.header("content-type") ?? "", raw);
      if (!body) return c.json({ error: { code: "validation_failed", message: "unreadable Slack payload" } }, 400);
      if (body.type === "url_verification") return c.json({ challenge: body.challenge });
      const retry = c.req.header("x-slack-retry-num");
      const response = await receiver.dispatch(body, retry ? Number(retry) : undefined, waitUntil);
      return typeof response === "string" ? c.body(response, 200) : c.json(response as object, 200);
    },
  };
}
