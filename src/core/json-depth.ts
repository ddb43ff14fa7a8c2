// JSON text parsed only after a linear pre-scan of its nesting depth: JSON.parse and everything that
// walks the result afterwards (zod, canonical JSON) recurse, so 100,000 nested brackets would exhaust
// the stack (a 500) or freeze the process. The scan never recurses and allocates nothing.

/** No JSON this service accepts nests deeper than this (a report is four levels deep). */
export const MAX_JSON_DEPTH = 64;

/** The deepest `[`/`{` nesting of `text` outside strings, stopping as soon as it passes `limit`. */
export function jsonNestingDepth(text: string, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: the next character is escaped, whatever it is
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

export type BoundedJson = { ok: true; value: unknown } | { ok: false; reason: "too_deep" | "invalid" };

/** JSON.parse of `text` unless it nests deeper than `maxDepth` (then never parsed) or is not JSON. */
export function parseBoundedJson(text: string, maxDepth: number = MAX_JSON_DEPTH): BoundedJson {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) return { ok: false, reason: "too_deep" };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: "invalid" };
  }
}
