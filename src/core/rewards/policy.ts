// Reward policies (举报奖励) as data: the national measures' floor and cap, and how a province turns the
// verified amount into a reward (one flat rate, marginal bands, or a rate by the tip's level). Presets
// ship here; an installation names one per region in its organisation file (`rewards:`).
import { z } from "zod";

/** Basis points: 1 % = 100 bp. Rates are integers so all arithmetic stays exact. */
export type BasisPoints = number;

export interface RewardBand {
  /** Upper bound of the band in fen (inclusive); null = no upper bound. */
  uptoFen: number | null;
  rateBp: BasisPoints;
}

/** The tip's level (举报等级), where a policy rates by level: 1 = direct evidence and help … 3 = a clue. */
export const REWARD_LEVELS = [1, 2, 3] as const;
export type RewardLevel = (typeof REWARD_LEVELS)[number];

export type RewardScheme =
  | { kind: "flat"; rateBp: BasisPoints }
  | { kind: "marginal"; bands: RewardBand[] }
  | { kind: "by_level"; levels: Record<RewardLevel, { rateBp: BasisPoints; floorFen: number }> };

export interface RewardPolicy {
  /** Preset id (`national`, `sichuan`, `guangdong-draft`) or the installation's own. */
  id: string;
  name: { "zh-CN": string; en: string };
  /** Legal basis shown to reviewers and tipsters. */
  basis: string;
  scheme: RewardScheme;
  /** Applied after the scheme (and uplift), when the case involved a fund loss. */
  floorFen: number;
  capFen: number;
  /** Added to the scheme's amount for insiders (内部人员), e.g. 2000 = +20 %; 0 = none. */
  insiderUpliftBp: BasisPoints;
}

export const YUAN = 100;
const NATIONAL_FLOOR_FEN = 200 * YUAN;
const NATIONAL_CAP_FEN = 200_000 * YUAN;
const NATIONAL_BASIS = "《违法违规使用医疗保障基金举报奖励办法》（医保发〔2022〕22号）";

/** The national measures alone: the installation sets the flat proportion (e.g. 200 bp = 2 %). */
export function nationalPolicy(rateBp: BasisPoints): RewardPolicy {
  return {
    id: "national",
    name: { "zh-CN": "国家举报奖励办法", en: "National reward measures" },
    basis: NATIONAL_BASIS,
    scheme: { kind: "flat", rateBp },
    floorFen: NATIONAL_FLOOR_FEN,
    capFen: NATIONAL_CAP_FEN,
    insiderUpliftBp: 0,
  };
}

export const SICHUAN_POLICY: RewardPolicy = {
  id: "sichuan",
  name: { "zh-CN": "四川省举报奖励实施细则", en: "Sichuan reward rules" },
  basis: `${NATIONAL_BASIS}；四川省实施细则`,
  scheme: {
    kind: "marginal",
    bands: [
      { uptoFen: 100_000 * YUAN, rateBp: 200 },
      { uptoFen: 1_000_000 * YUAN, rateBp: 150 },
      { uptoFen: 10_000_000 * YUAN, rateBp: 100 },
      { uptoFen: null, rateBp: 50 },
    ],
  },
  floorFen: NATIONAL_FLOOR_FEN,
  capFen: NATIONAL_CAP_FEN,
  insiderUpliftBp: 0,
};

export const GUANGDONG_DRAFT_POLICY: RewardPolicy = {
  id: "guangdong-draft",
  name: { "zh-CN": "广东省举报奖励办法（征求意见稿）", en: "Guangdong reward rules (draft)" },
  basis: `${NATIONAL_BASIS}；广东省实施办法（征求意见稿）`,
  scheme: {
    kind: "by_level",
    levels: {
      1: { rateBp: 300, floorFen: 400 * YUAN },
      2: { rateBp: 200, floorFen: 300 * YUAN },
      3: { rateBp: 100, floorFen: 200 * YUAN },
    },
  },
  floorFen: NATIONAL_FLOOR_FEN,
  capFen: NATIONAL_CAP_FEN,
  insiderUpliftBp: 2000,
};

export const REWARD_PRESET_IDS = ["national", "sichuan", "guangdong-draft"] as const;
export type RewardPresetId = (typeof REWARD_PRESET_IDS)[number];

/** The default flat proportion for `national` when the installation sets none: 2 %. */
export const DEFAULT_NATIONAL_RATE_BP = 200;

export function rewardPreset(id: RewardPresetId, options: { nationalRateBp?: BasisPoints } = {}): RewardPolicy {
  switch (id) {
    case "national":
      return nationalPolicy(options.nationalRateBp ?? DEFAULT_NATIONAL_RATE_BP);
    case "sichuan":
      return SICHUAN_POLICY;
    case "guangdong-draft":
      return GUANGDONG_DRAFT_POLICY;
  }
}

const regionCode = z.string().regex(/^\d{6}$/, { error: "must be a 6-digit GB/T 2260 code" });

/** The organisation file's `rewards:` section: which policy applies where (most specific region wins). */
export const rewardRulesSchema = z
  .object({
    /** The flat proportion of `national`, in percent (e.g. 2 or 1.5); stored as basis points. */
    nationalRatePercent: z.number().positive().max(100).multipleOf(0.01).optional(),
    /** Calendar months a tipster has to claim after the notice (the measures: 2). */
    claimMonths: z.number().int().min(1).max(24).default(2),
    regions: z
      .array(z.object({ regionCode, policy: z.enum(REWARD_PRESET_IDS) }))
      .default([])
      .refine((rs) => new Set(rs.map((r) => r.regionCode)).size === rs.length, { error: "each region may name one policy" }),
  })
  .default({ claimMonths: 2, regions: [] });
export type RewardRules = z.output<typeof rewardRulesSchema>;

/** The regions a code falls in, most specific first: 510104 → 510104, 510100, 510000, 000000. */
export function regionAncestry(code: string): string[] {
  const out = [code];
  const city = `${code.slice(0, 4)}00`;
  const province = `${code.slice(0, 2)}0000`;
  if (city !== code) out.push(city);
  if (province !== city) out.push(province);
  if (province !== "000000") out.push("000000");
  return out;
}

/** The policy for a lead's region: the most specific region named in the rules, else `national`. */
export function policyForRegion(rules: RewardRules, leadRegionCode: string): RewardPolicy {
  const options = { nationalRateBp: rules.nationalRatePercent !== undefined ? Math.round(rules.nationalRatePercent * 100) : undefined };
  const byRegion = new Map(rules.regions.map((r) => [r.regionCode, r.policy]));
  for (const code of regionAncestry(leadRegionCode)) {
    const id = byRegion.get(code);
    if (id) return rewardPreset(id, options);
  }
  return rewardPreset("national", options);
}
