// The national focus list of drugs and consumables (2022 settlement ranking, passed down with the 2023
// campaign; seed 003, attachment 1), extracted once into reference/focus-list-2022.json. Leads that mention
// one are tagged so supervisors can watch those funds.
import data from "./reference/focus-list-2022.json";

export type FocusItemCategory = "western" | "chinese_patent" | "herbal_pieces" | "consumable";

export interface FocusItem {
  rank: number;
  category: FocusItemCategory;
  /** NHSA drug codes (first 14 / 11 / 10 characters) or consumable codes. */
  codes: string[];
  name: string;
  aliases: string[];
  form?: string;
}

export const FOCUS_ITEMS: readonly FocusItem[] = data as FocusItem[];

interface Needle {
  text: string;
  item: FocusItem;
}

// Longest first, so "左氨氯地平" is not also counted as "氨氯地平"; single-character herbs are too
// ambiguous to match in free text and need at least two characters.
const NEEDLES: Needle[] = FOCUS_ITEMS.flatMap((item) => [item.name, ...item.aliases].filter((t) => t.length >= 2).map((text) => ({ text, item }))).sort(
  (a, b) => b.text.length - a.text.length,
);

/** Focus-list items named (or coded) in free text, each once, in list order. */
export function findFocusItems(text: string): FocusItem[] {
  let rest = text.normalize("NFKC");
  const found = new Set<FocusItem>();
  for (const { text: needle, item } of NEEDLES) {
    const n = needle.normalize("NFKC");
    if (rest.includes(n)) {
      found.add(item);
      rest = rest.split(n).join("\u0000");
    }
  }
  const upper = rest.toUpperCase();
  for (const item of FOCUS_ITEMS) if (item.codes.some((c) => upper.includes(c))) found.add(item);
  return FOCUS_ITEMS.filter((i) => found.has(i)).filter((i, idx, all) => all.findIndex((o) => o.name === i.name) === idx);
}
