// The measures a bureau reports taking on a concluded lead (the national figures' columns), their codes and labels.
import { z } from "zod";
import type { Locale } from "./report-input";

/** Referrals to police, discipline or the health commission are outcomes, not measures. */
export const MEASURES = ["interview", "rectification", "suspend_agreement", "terminate_agreement", "administrative_penalty", "published"] as const;
export type Measure = (typeof MEASURES)[number];

export const measureSchema = z.enum(MEASURES);
/** A set of measures: each at most once, in the order of MEASURES (so equal sets store equal text). */
export const measuresSchema = z
  .array(measureSchema)
  .max(MEASURES.length * 4)
  .transform((list) => MEASURES.filter((m) => list.includes(m)));

const LABELS: Record<Locale, Record<Measure, string>> = {
  "zh-CN": {
    interview: "约谈",
    rectification: "限期整改",
    suspend_agreement: "暂停医保结算/协议",
    terminate_agreement: "解除协议",
    administrative_penalty: "行政处罚",
    published: "曝光",
  },
  en: {
    interview: "interview",
    rectification: "rectification within a deadline",
    suspend_agreement: "settlement/agreement suspended",
    terminate_agreement: "agreement terminated",
    administrative_penalty: "administrative penalty",
    published: "published",
  },
};

export function measureLabel(measure: Measure, locale: Locale): string {
  return LABELS[locale][measure];
}

/** The measures in words, joined as the language lists them ("约谈、限期整改" / "interview, rectification"). */
export function measuresText(measures: readonly Measure[], locale: Locale): string {
  return measures.map((m) => measureLabel(m, locale)).join(locale === "zh-CN" ? "、" : ", ");
}

/** Words a person may type for each measure (codes, the Chinese labels and short forms), lower case. */
const WORDS: ReadonlyMap<string, Measure> = new Map<string, Measure>([
  ...MEASURES.map((m) => [m, m] as [string, Measure]),
  ...MEASURES.map((m) => [LABELS["zh-CN"][m], m] as [string, Measure]),
  ["约谈", "interview"],
  ["整改", "rectification"],
  ["责令整改", "rectification"],
  ["暂停协议", "suspend_agreement"],
  ["暂停结算", "suspend_agreement"],
  ["暂停医保结算", "suspend_agreement"],
  ["暂停", "suspend_agreement"],
  ["suspend", "suspend_agreement"],
  ["suspended", "suspend_agreement"],
  ["解除", "terminate_agreement"],
  ["解除协议", "terminate_agreement"],
  ["terminate", "terminate_agreement"],
  ["terminated", "terminate_agreement"],
  ["行政处罚", "administrative_penalty"],
  ["处罚", "administrative_penalty"],
  ["penalty", "administrative_penalty"],
  ["曝光", "published"],
  ["publish", "published"],
  ["public", "published"],
]);

/** The measure a typed word names, or null. */
export function measureOfWord(word: string): Measure | null {
  return WORDS.get(word.trim().toLowerCase().replace(/-/g, "_")) ?? null;
}

/** A stored `leads.measures` value back into codes; anything unreadable is no measures (never throws). */
export function parseStoredMeasures(stored: string | null | undefined): Measure[] | null {
  if (stored === null || stored === undefined) return null;
  try {
    const r = measuresSchema.safeParse(JSON.parse(stored));
    return r.success ? r.data : [];
  } catch {
    return [];
  }
}
