// One chat reply that concludes a lead: the verified amount, then optionally what was recovered, the fine
// and the measures taken ("120000 追回 80000 罚款 20000 约谈 限期整改" / "120000 recovered 80000 fine 20000 interview").
import { measureOfWord, MEASURES, type Measure } from "./measures";
import { parseYuanText } from "./money";

export type ConclusionText = { amountFen: number | null; recoveredFen: number | null; fineFen: number | null; measures: Measure[] };

export type ConclusionTextParse =
  | ({ ok: true } & ConclusionText)
  | { ok: false; reason: "amount_invalid" | "amount_too_large" }
  /** `word`: the first part of the reply that is neither an amount, a keyword nor a measure (at most 40 characters). */
  | { ok: false; reason: "unknown_word"; word: string }
  /** A keyword said twice, or a keyword with no amount after it. */
  | { ok: false; reason: "figure_repeated" | "figure_missing"; figure: "amount" | "recovered" | "fine" };

type Figure = "amount" | "recovered" | "fine";

/** Words that say which amount follows; longest first so "追回金额" is not read as "追回" + "金额". */
const KEYWORDS: ReadonlyArray<readonly [string, Figure]> = (
  [
    ["查实金额", "amount"],
    ["核实金额", "amount"],
    ["查实", "amount"],
    ["核实", "amount"],
    ["verified", "amount"],
    ["amount", "amount"],
    ["追回金额", "recovered"],
    ["追回资金", "recovered"],
    ["追回", "recovered"],
    ["recovered", "recovered"],
    ["recovery", "recovered"],
    ["recover", "recovered"],
    ["罚款金额", "fine"],
    ["罚款", "fine"],
    ["fined", "fine"],
    ["fine", "fine"],
  ] as const
)
  .slice()
  .sort((a, b) => b[0].length - a[0].length);
const KEYWORD_OF: ReadonlyMap<string, Figure> = new Map(KEYWORDS);
/** A unit said on its own after an amount ("12000 元"): part of the amount, not a word. */
const UNIT = /^(元|yuan|rmb|cny|¥|￥)$/i;
const MAX_TEXT = 2000;
const MAX_WORD = 40;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
const CJK_KEYWORDS = KEYWORDS.filter(([w]) => /[^\x00-\x7f]/.test(w)).map(([w]) => escapeRegExp(w));
/** Chinese keywords stand apart even when typed against a number ("追回8万"). */
const CJK_KEYWORD_RE = new RegExp(`(${CJK_KEYWORDS.join("|")})`, "g");

/** Chinese measures typed without spaces ("约谈限期整改"): split greedily into known measure words, or null. */
function splitMeasures(word: string): Measure[] | null {
  const whole = measureOfWord(word);
  if (whole) return [whole];
  if (!/[^\x00-\x7f]/.test(word)) return null;
  const found: Measure[] = [];
  let rest = word;
  while (rest.length > 0) {
    let taken = 0;
    // Longest known prefix first (a measure label is at most 9 characters).
    for (let len = Math.min(rest.length, 12); len > 0; len--) {
      const m = measureOfWord(rest.slice(0, len));
      if (m) {
        found.push(m);
        taken = len;
        break;
      }
    }
    if (taken === 0) return null;
    rest = rest.slice(taken);
  }
  return found;
}

/**
 * Parses a conclusion reply. The first bare amount is the verified amount ("12,000.50", "1.2万" as before);
 * each keyword takes the amount after it. Two bare amounts ("120000 80000") are refused, not run together
 * into one. Amounts are bounded by MAX_AMOUNT_FEN (parseYuanText); never throws.
 */
export function parseConclusionText(text: string): ConclusionTextParse {
  const input = String(text).slice(0, MAX_TEXT);
  const spaced = input.replace(CJK_KEYWORD_RE, " $1 ");
  const tokens = spaced
    .split(/[\s、;；:：=]+/u)
    .map((w) => w.trim())
    .filter((w) => w.length > 0 && !/^[,，.。]+$/.test(w))
    .map((w) => w.replace(/[,，。.]+$/u, "") || w);
  const figures: Record<Figure, number | null> = { amount: null, recovered: null, fine: null };
  const measures = new Set<Measure>();
  let pending: Figure | null = null;
  for (const token of tokens) {
    if (UNIT.test(token)) continue;
    const keyword = KEYWORD_OF.get(token.toLowerCase());
    if (keyword) {
      if (pending) return { ok: false, reason: "figure_missing", figure: pending };
      if (figures[keyword] !== null) return { ok: false, reason: "figure_repeated", figure: keyword };
      pending = keyword;
      continue;
    }
    if (/^[¥￥]?\d/.test(token)) {
      const amount = parseYuanText(token);
      if (!amount.ok) return { ok: false, reason: amount.reason };
      const figure: Figure = pending ?? "amount";
      if (figures[figure] !== null) return { ok: false, reason: "figure_repeated", figure };
      figures[figure] = amount.fen;
      pending = null;
      continue;
    }
    if (pending) return { ok: false, reason: "figure_missing", figure: pending };
    const named = splitMeasures(token);
    if (!named) return { ok: false, reason: "unknown_word", word: [...token].slice(0, MAX_WORD).join("") };
    for (const m of named) measures.add(m);
  }
  if (pending) return { ok: false, reason: "figure_missing", figure: pending };
  return { ok: true, amountFen: figures.amount, recoveredFen: figures.recovered, fineFen: figures.fine, measures: MEASURES.filter((m) => measures.has(m)) };
}
