// Feishu message content from the platform-neutral shapes: a card becomes a card JSON 2.0 `interactive`
// message (plain_text everywhere, so citizen text is never markup), a text or prompt a `text` message with
// the characters that make Feishu text markup (`<at user_id="all">`, `[label](url)`) replaced by look-alikes.
import type { ChatCard, OutgoingMessage } from "../types";

/** What a button's callback carries back in card.action.trigger: the action and the id it is about. */
export interface FeishuButtonValue {
  a: string;
  id: string;
}

/** Card bodies stay well under Feishu's 30 KB card limit; the full text is one press away (the case link). */
const MAX_BODY_CHARS = 3000;
const MAX_TEXT_CHARS = 8000;

/**
 * Text messages read `<at user_id="…">`, `<at user_id="all">` and `[label](url)` as mentions and links.
 * Full-width brackets look the same to a reader and mean nothing to Feishu, so a tipster's words can
 * neither ping a group nor carry a disguised link. Bare URLs are left as text (ours are bare too).
 */
export function inertFeishuText(text: string): string {
  return text.replace(/</g, "＜").replace(/>/g, "＞").replace(/\[/g, "［").replace(/\]/g, "］");
}

const plain = (content: string) => ({ tag: "plain_text", content });
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Card JSON 2.0 (schema "2.0"): header, one plain_text div per field, the body, a row of buttons per row, the footer. */
export function renderFeishuCard(card: ChatCard): Record<string, unknown> {
  const elements: unknown[] = [];
  for (const f of card.fields) elements.push({ tag: "div", text: plain(`${f.label}: ${f.value}`) });
  if (card.body) elements.push({ tag: "div", text: plain(clip(card.body, MAX_BODY_CHARS)) });
  for (const row of card.buttons) {
    if (row.length === 0) continue;
    // JSON 2.0 has no `action` module: buttons sit in a column set, one auto-width column each, flowing onto new lines on narrow screens.
    elements.push({
      tag: "column_set",
      flex_mode: "flow",
      horizontal_spacing: "8px",
      columns: row.map((b) => ({
        tag: "column",
        width: "auto",
        elements: [
          {
            tag: "button",
            text: plain(b.label),
            type: b.url ? "default" : b.style === "danger" ? "danger" : b.style === "primary" ? "primary_filled" : "default",
            behaviors: b.url ? [{ type: "open_url", default_url: b.url }] : [{ type: "callback", value: { a: b.action, id: b.leadId } satisfies FeishuButtonValue }],
          },
        ],
      })),
    });
  }
  if (card.footer) elements.push({ tag: "div", text: { ...plain(card.footer), text_size: "notation", text_color: "grey" } });
  return {
    schema: "2.0",
    // update_multi: one card for everyone in the chat, which PATCH replaces for all (JSON 2.0 requires it).
    config: { update_multi: true },
    header: { title: plain(clip(card.title, 200)), template: "blue" },
    body: { elements },
  };
}

/** The `msg_type` and `content` (a JSON string, as the API wants it) of a message. */
export function renderFeishu(message: OutgoingMessage): { msg_type: "interactive" | "text"; content: string } {
  if (message.kind === "card") return { msg_type: "interactive", content: JSON.stringify(renderFeishuCard(message.card)) };
  return { msg_type: "text", content: JSON.stringify({ text: clip(inertFeishuText(message.text), MAX_TEXT_CHARS) }) };
}
