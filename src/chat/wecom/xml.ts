// A small, bounded reader for WeCom's flat callback XML (envelope and decrypted message): one linear scan,
// CDATA and the five predefined entities, nothing else (no DTD, no other entities, no processing beyond the
// declaration), so a stranger's bytes can neither expand nor recurse. Failures are typed results.

/** Callback bodies are a few hundred bytes; 64 KB leaves room for long text messages and refuses floods. */
export const WECOM_XML_MAX_BYTES = 64 * 1024;
const MAX_FIELDS = 128;
const MAX_DEPTH = 8;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export type WecomXmlFailure = "too_large" | "not_xml" | "bad_tag" | "unbalanced" | "bad_entity" | "forbidden_markup" | "duplicate_field" | "too_many_fields" | "too_deep";
export type WecomXmlResult = { ok: true; fields: Record<string, string> } | { ok: false; reason: WecomXmlFailure };

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeText(raw: string): string | null {
  if (raw.indexOf("&") < 0) return raw;
  let out = "";
  let i = 0;
  while (i < raw.length) {
    const amp = raw.indexOf("&", i);
    if (amp < 0) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, amp);
    const semi = raw.indexOf(";", amp);
    if (semi < 0 || semi - amp > 5) return null;
    const ch = ENTITIES[raw.slice(amp + 1, semi)];
    if (ch === undefined) return null;
    out += ch;
    i = semi + 1;
  }
  return out;
}

/**
 * A repeated top-level field is refused (two Encrypt or MsgType values would be ambiguous); a repeated
 * nested leaf (several OptionId in a multiple_interaction card's SelectedItems) is kept as "Path[2]", "Path[3]".
 */
function store(fields: Record<string, string>, path: string, value: string): WecomXmlFailure | null {
  if (Object.keys(fields).length >= MAX_FIELDS) return "too_many_fields";
  if (!(path in fields)) {
    fields[path] = value;
    return null;
  }
  if (!path.includes(".")) return "duplicate_field";
  for (let k = 2; k <= MAX_FIELDS; k++) {
    if (!(`${path}[${k}]` in fields)) {
      fields[`${path}[${k}]`] = value;
      return null;
    }
  }
  return "too_many_fields";
}

/** CDATA cannot contain "]]>": split it, so a value we write can never close the section early. */
export function xmlEscapeCdata(text: string): string {
  return text.replace(/]]>/g, "]]]]><![CDATA[>");
}

/**
 * Reads `<xml>…</xml>` and returns its leaf children's text by name (nested leaves, e.g. inside
 * SelectedItems, as "Parent.Child"; repeats as "Parent.Child[2]"). A repeated top-level field is refused.
 */
export function readWecomXml(text: string): WecomXmlResult {
  if (text.length > WECOM_XML_MAX_BYTES) return { ok: false, reason: "too_large" };
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && (text[i] === " " || text[i] === "\uFEFF" || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  skipWs();
  if (text.startsWith("<?xml", i)) {
    const end = text.indexOf("?>", i);
    if (end < 0) return { ok: false, reason: "not_xml" };
    i = end + 2;
    skipWs();
  }
  const fields: Record<string, string> = Object.create(null);
  const stack: string[] = [];
  let textBuf = "";
  const sawChild: boolean[] = [];
  let root = false;
  while (i < n) {
    const lt = text.indexOf("<", i);
    if (lt < 0) {
      if (text.slice(i).trim() !== "") return { ok: false, reason: stack.length ? "unbalanced" : "not_xml" };
      break;
    }
    if (lt > i) {
      if (stack.length === 0) {
        if (text.slice(i, lt).trim() !== "") return { ok: false, reason: "not_xml" };
      } else {
        const decoded = decodeText(text.slice(i, lt));
        if (decoded === null) return { ok: false, reason: "bad_entity" };
        textBuf += decoded;
      }
    }
    i = lt;
    if (text.startsWith("<![CDATA[", i)) {
      if (stack.length === 0) return { ok: false, reason: "not_xml" };
      const end = text.indexOf("]]>", i + 9);
      if (end < 0) return { ok: false, reason: "unbalanced" };
      textBuf += text.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    if (text.startsWith("<!", i) || text.startsWith("<?", i)) return { ok: false, reason: "forbidden_markup" };
    const gt = text.indexOf(">", i);
    if (gt < 0) return { ok: false, reason: "unbalanced" };
    const inner = text.slice(i + 1, gt);
    i = gt + 1;
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim();
      if (stack.length === 0 || stack[stack.length - 1] !== name) return { ok: false, reason: "unbalanced" };
      const hadChild = sawChild.pop();
      const path = stack.slice(1).join(".");
      stack.pop();
      if (stack.length >= 1 && !hadChild) {
        const r = store(fields, path, textBuf);
        if (r) return { ok: false, reason: r };
      }
      textBuf = "";
      if (stack.length === 0) {
        if (text.slice(i).trim() !== "") return { ok: false, reason: "not_xml" };
        break;
      }
      continue;
    }
    const selfClosing = inner.endsWith("/");
    const name = (selfClosing ? inner.slice(0, -1) : inner).trim();
    // Attributes are never sent by WeCom: a tag with them is not one of its documents.
    if (!NAME.test(name)) return { ok: false, reason: "bad_tag" };
    if (stack.length === 0) {
      if (root || name !== "xml" || selfClosing) return { ok: false, reason: "not_xml" };
      root = true;
    } else {
      if (textBuf.trim() !== "") return { ok: false, reason: "bad_tag" };
      sawChild[sawChild.length - 1] = true;
    }
    textBuf = "";
    if (selfClosing) {
      const r = store(fields, [...stack.slice(1), name].join("."), "");
      if (r) return { ok: false, reason: r };
      continue;
    }
    if (stack.length >= MAX_DEPTH) return { ok: false, reason: "too_deep" };
    stack.push(name);
    sawChild.push(false);
  }
  if (!root || stack.length) return { ok: false, reason: root ? "unbalanced" : "not_xml" };
  return { ok: true, fields: { ...fields } };
}

/** The fields FundWatch reads from a decrypted WeCom message or event (template-card presses included). */
export interface WecomMessage {
  ToUserName?: string;
  FromUserName?: string;
  CreateTime?: string;
  MsgType?: string;
  Event?: string;
  EventKey?: string;
  TaskId?: string;
  CardType?: string;
  ResponseCode?: string;
  MsgId?: string;
  Content?: string;
  AgentID?: string;
}
const MESSAGE_KEYS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "EventKey", "TaskId", "CardType", "ResponseCode", "MsgId", "Content", "AgentID"] as const;

export function readWecomMessage(text: string): { ok: true; message: WecomMessage; fields: Record<string, string> } | { ok: false; reason: WecomXmlFailure } {
  const r = readWecomXml(text);
  if (!r.ok) return r;
  const message: WecomMessage = {};
  for (const k of MESSAGE_KEYS) if (r.fields[k] !== undefined) message[k] = r.fields[k];
  return { ok: true, message, fields: r.fields };
}
