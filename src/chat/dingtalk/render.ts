// Turns FundWatch cards and texts into DingTalk robot messages: texts as `sampleText` (plain, nothing in
// them formats or mentions anyone), cards as the parameters of the FundWatch card template
// (docs/dingtalk/fundwatch-card.template.json) or, without a template, as `sampleMarkdown` with our own
// links and a line saying how to act. Citizen text inside markdown is made inert.
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
import type { ChatCard, OutgoingMessage } from "../types";
import { buttonSig } from "./track";

/** Markdown characters DingTalk interprets, swapped for full-width look-alikes: no links, emphasis, headings or tables from citizen text. */
const MARKDOWN_SWAPS: Record<string, string> = { "[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "*": "＊", _: "＿", "`": "ˋ", "#": "＃", "|": "｜", "~": "～", "\\": "＼", "@": "＠", "!": "！" };

export const escapeDingtalkMarkdown = (s: string) => s.replace(/[[\]()<>*_`#|~\\@!]/g, (ch) => MARKDOWN_SWAPS[ch] ?? ch);

/** Only http(s) links we made go into a markdown link target; anything else is left out. */
const safeUrl = (url: string) => (/^https?:\/\/[^\s()<>]+$/i.test(url) ? url : null);

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** The card's fields, body and footer as DingTalk markdown, every value escaped. */
function markdownParts(card: ChatCard): { fields: string; body: string; footer: string } {
  return {
    fields: card.fields.map((f) => `**${escapeDingtalkMarkdown(f.label)}**：${escapeDingtalkMarkdown(f.value)}`).join("  \n"),
    body: card.body ? escapeDingtalkMarkdown(card.body).slice(0, 3000) : "",
    footer: card.footer ? `<font color=#888888>${escapeDingtalkMarkdown(card.footer)}</font>` : "",
  };
}

// DingTalk markdown needs two trailing spaces (or a blank line) to break a line.
const joinParts = (p: { fields: string; body: string; footer: string }) => [p.fields, p.body, p.footer].filter(Boolean).join("  \n  \n");

/** The card's content as DingTalk markdown (fields, body, footer). */
export function cardMarkdown(card: ChatCard): string {
  return joinParts(markdownParts(card));
}

export interface RobotMessage {
  msgKey: "sampleText" | "sampleMarkdown";
  /** The message parameters as the JSON string the robot APIs take. */
  msgParam: string;
}

/** A text or prompt as plain text; a card as markdown with its link buttons and how to act without buttons. */
export function renderRobotMessage(message: OutgoingMessage, locale: Locale): RobotMessage {
  if (message.kind !== "card") return { msgKey: "sampleText", msgParam: JSON.stringify({ content: message.text }) };
  const { card } = message;
  const title = escapeDingtalkMarkdown(card.title);
  const parts = [`#### ${title}`, cardMarkdown(card)];
  const links = card.buttons.flat().flatMap((b) => {
    const url = b.url ? safeUrl(b.url) : null;
    return url ? [`[${escapeDingtalkMarkdown(b.label)}](${url})`] : [];
  });
  if (links.length) parts.push(links.join("  \n"));
  if (card.buttons.flat().some((b) => !b.url)) parts.push(`<font color=#888888>${escapeDingtalkMarkdown(t(locale, "chat.dingtalk.act_without_buttons"))}</font>`);
  return { msgKey: "sampleMarkdown", msgParam: JSON.stringify({ title: card.title.slice(0, 100), text: parts.join("\n\n") }) };
}

/** DingTalk's limit on one cardParamMap value ("最长不超过1KB"), with room for the ellipsis. */
const CARD_VALUE_MAX_BYTES = 1000;

/** `s` cut to at most `max` UTF-8 bytes at a character boundary, with "…" when cut. */
export function fitUtf8(s: string, max: number): string {
  if (utf8Length(s) <= max) return s;
  const encoder = new TextEncoder();
  let bytes = 0;
  let out = "";
  for (const ch of s) {
    const n = encoder.encode(ch).length;
    if (bytes + n > max - 3) break;
    bytes += n;
    out += ch;
  }
  return `${out}…`;
}

/** The card's markdown within DingTalk's limit, the body shortened first so the fields and footer (deadlines) stay. */
function fittedMarkdown(card: ChatCard): string {
  const parts = markdownParts(card);
  const full = joinParts(parts);
  if (utf8Length(full) <= CARD_VALUE_MAX_BYTES || !parts.body) return full;
  const rest = utf8Length(joinParts({ ...parts, body: "" }));
  return joinParts({ ...parts, body: fitUtf8(parts.body, Math.max(CARD_VALUE_MAX_BYTES - rest - 8, 0)) });
}

export interface TemplateButton {
  text: string;
  /** blue (primary), red (danger) or gray. */
  color: "blue" | "red" | "gray";
  /** What the press sends back: the button's action, its id and their signature (see track.ts). Empty for links. */
  action: string;
  id: string;
  sig: string;
  url: string;
}

/**
 * The cardParamMap of the FundWatch card template: every value a string of at most 1 KB, the button list
 * as a JSON string (DingTalk's rules for variables of cards sent through /v1.0/card).
 */
export async function renderCardParams(card: ChatCard, trackId: string, secret: string): Promise<Record<string, string>> {
  const buttons: TemplateButton[] = [];
  for (const b of card.buttons.flat()) {
    const color = b.style === "danger" ? "red" : b.style === "primary" ? "blue" : "gray";
    if (b.url) {
      const url = safeUrl(b.url);
      if (url) buttons.push({ text: b.label, color, action: "", id: "", sig: "", url });
    } else buttons.push({ text: b.label, color, action: b.action, id: b.leadId, sig: await buttonSig(secret, trackId, b.action, b.leadId), url: "" });
  }
  return {
    // The full text is on the lead page; the card shows what fits DingTalk's limit per value.
    title: fitUtf8(card.title, CARD_VALUE_MAX_BYTES),
    markdown: fitUtf8(fittedMarkdown(card), CARD_VALUE_MAX_BYTES),
    buttons: JSON.stringify(buttons),
    hasButtons: buttons.length > 0 ? "true" : "false",
  };
}
