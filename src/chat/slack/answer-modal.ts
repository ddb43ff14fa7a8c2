// How a Slack press is answered when the service needs free text: a modal with one text field (its
// metadata names what the answer is for, and comes back untrusted), otherwise an ephemeral message.
// Campaign and reward cards share it; lead cards have their own (tip choices, amounts) in app.ts.
import type { App } from "@slack/bolt";
import type { z } from "zod";
import type { ServiceDeps } from "../../services/deps";
import { escapeMrkdwn } from "./adapter";

export async function showAnswerOrModal(
  deps: ServiceDeps,
  client: App["client"],
  reply: { text: string; prompt?: { text: string } | undefined },
  input: { channel: string; user: string; triggerId?: string | undefined; callbackId: string; metadata: Record<string, unknown> },
): Promise<void> {
  try {
    if (reply.prompt && input.triggerId) {
      await client.views.open({
        trigger_id: input.triggerId,
        view: {
          type: "modal",
          callback_id: input.callbackId,
          private_metadata: JSON.stringify(input.metadata),
          title: { type: "plain_text", text: "FundWatch" },
          submit: { type: "plain_text", text: "OK" },
          blocks: [{ type: "input", block_id: "answer", label: { type: "plain_text", text: reply.prompt.text.slice(0, 1900) }, element: { type: "plain_text_input", action_id: "text", multiline: true } }],
        },
      });
      return;
    }
    // Replies can quote citizen text: inert in mrkdwn.
    const text = escapeMrkdwn(reply.text);
    if (text && input.channel) await client.chat.postEphemeral({ channel: input.channel, user: input.user, text });
  } catch (err) {
    deps.log.warn("slack answer not shown", { error: err instanceof Error ? err.message : String(err) });
  }
}

/** The text field of a modal opened by showAnswerOrModal. */
export const modalAnswer = (values: Record<string, Record<string, unknown>>) => ((values.answer?.text as { value?: string } | undefined)?.value ?? "");

/** A modal's private metadata: written by us, but it comes back through Slack, so read as untrusted. */
export function readModalMetadata<S extends z.ZodType>(schema: S, raw: string): z.output<S> | null {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
