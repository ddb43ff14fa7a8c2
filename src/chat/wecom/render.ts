// What a FundWatch card or text becomes on WeCom: a `button_interaction` template card for members (buttons
// call back with key `<action>|<id>`), markdown for an app group chat (it takes no template cards), and
// plain text made inert (no links, no @all, no markup that was not ours).
import type { ChatButton, ChatCard } from "../types";

/** WeCom's limits for app messages: text and markdown content 2048 bytes; a card's lists 6 entries. */
export const WECOM_TEXT_MAX_BYTES = 2048;
const MAX_BUTTONS = 6;
const MAX_MENU = 3;
const MAX_FIELDS = 6;
/** Button keys: up to 1024 bytes, returned as EventKey. */
const KEY_MAX_BYTES = 1024;

const encoder = new TextEncoder();

/** Cuts to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, max: number): string {
  if (encoder.encode(text).length <= max) return text;
  let out = "";
  let used = 0;
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (used + n > max - 3) break;
    out += ch;
    used += n;
  }
  return `${out}…`;
}

/**
 * Makes text inert in a WeCom app message: text messages render `<a href>` links, so angle brackets become
 * full-width; "@all"/"@所有人" get a zero-width space so no client reads them as a mention.
 */
export function inertText(text: string): string {
  return text.replace(/</g, "＜").replace(/>/g, "＞").replace(/@(all|所有人)/gi, "@\u200b$1");
}

/** As inertText, and WeCom markdown's own marks (links, emphasis, headings, quotes, code, font tags) full-width. */
export function inertMarkdown(text: string): string {
  return inertText(text).replace(/[[\]*`#_~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/** A callback button's key: `<action>|<id>` (actions and ids never contain "|"). */
export function buttonKey(button: Pick<ChatButton, "action" | "leadId">): string {
  const key = `${button.action}|${button.leadId}`;
  if (encoder.encode(key).length > KEY_MAX_BYTES) throw new Error("wecom button key too long");
  return key;
}

export function parseButtonKey(key: string): { action: string; id: string } | null {
  const bar = key.indexOf("|");
  if (bar <= 0 || bar === key.length - 1) return null;
  const action = key.slice(0, bar);
  const id = key.slice(bar + 1);
  if (!/^[a-z][a-z0-9_:-]{0,63}$/.test(action) || !/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) return null;
  return { action, id };
}

/** WeCom's button styles are numbered 1–4 (1 the default blue); danger uses 3. */
const styleOf = (b: ChatButton) => (b.style === "danger" ? 3 : b.style === "primary" ? 1 : 2);
const button = (b: ChatButton) => (b.url ? { type: 1, text: b.label, style: styleOf(b), url: b.url } : { type: 0, text: b.label, style: styleOf(b), key: buttonKey(b) });

/**
 * The card as a `button_interaction` template card. At most 6 buttons fit and 3 more in the card's "⋯"
 * menu: a card with more than 6 puts its last row (on lead cards: ask, open, reassign) in the menu and
 * the first 6 of the rest as buttons; what is left is on the lead page (the open action). The first 6
 * fields are the card's key-value list; the rest, the body and the footer are its sub-title text.
 */
export function renderTemplateCard(card: ChatCard, taskId: string): Record<string, unknown> {
  const rows = card.buttons.filter((r) => r.length > 0);
  const all = rows.flat();
  let buttons = all;
  let menu: ChatButton[] = [];
  if (all.length > MAX_BUTTONS && rows.length > 1) {
    const last = rows[rows.length - 1]!.filter((b) => !b.url);
    menu = last.slice(0, MAX_MENU);
    buttons = all.filter((b) => !menu.includes(b));
  }
  buttons = buttons.slice(0, MAX_BUTTONS);
  const shown = card.fields.slice(0, MAX_FIELDS);
  const rest = card.fields.slice(MAX_FIELDS).map((f) => `${f.label}: ${f.value}`);
  const sub = [...rest, ...(card.body ? [card.body] : []), ...(card.footer ? [card.footer] : [])].join("\n");
  return {
    card_type: "button_interaction",
    task_id: taskId,
    main_title: { title: truncateBytes(card.title, 128) },
    ...(sub ? { sub_title_text: truncateBytes(sub, 1024) } : {}),
    horizontal_content_list: shown.map((f) => ({ type: 0, keyname: truncateBytes(f.label, 64), value: truncateBytes(f.value || "—", 256) })),
    button_list: buttons.map(button),
    ...(menu.length ? { action_menu: { desc: "⋯", action_list: menu.map((b) => ({ text: b.label, key: buttonKey(b) })) } } : {}),
  };
}

/**
 * The card as markdown for an app group chat, where template cards cannot go: its text, its links (and
 * the lead page where the card has an open action), and `actHint` saying to act in the app.
 */
export function renderMarkdownCard(card: ChatCard, options: { publicBaseUrl?: string; actHint: string }): string {
  const head = [`**${inertMarkdown(card.title)}**`];
  for (const f of card.fields) head.push(`> ${inertMarkdown(f.label)}: ${inertMarkdown(f.value)}`);
  if (card.body) head.push("", inertMarkdown(card.body));
  const all = card.buttons.flat();
  const links: string[] = [];
  for (const b of all) if (b.url && /^https:\/\//.test(b.url)) links.push(`[${inertMarkdown(b.label)}](${b.url})`);
  const open = all.find((b) => !b.url && b.action === "open");
  if (open && options.publicBaseUrl) links.push(`[${inertMarkdown(open.label)}](${options.publicBaseUrl.replace(/\/+$/, "")}/staff/leads/${encodeURIComponent(open.leadId)})`);
  const tail: string[] = [];
  if (links.length) tail.push("", links.join("  "));
  if (card.footer) tail.push("", `<font color="comment">${inertMarkdown(card.footer)}</font>`);
  if (all.some((b) => !b.url)) tail.push(`<font color="comment">${inertMarkdown(options.actHint)}</font>`);
  // The citizen text is what gets cut, never our links and hint.
  const tailText = tail.join("\n");
  return truncateBytes(head.join("\n"), WECOM_TEXT_MAX_BYTES - encoder.encode(tailText).length) + (tailText ? `\n${tailText}` : "");
}
