// The statistics page's filters as the URL carries them (a GET form: shareable, works without JavaScript):
// period text or from/to dates, region (one code, or the form's province → city → district selects),
// team, source, campaign. Read with zod into the input of resolveStatisticsScope, or into the names of
// the fields that could not be read (the page answers 400 naming them, and nothing is computed).
import { z } from "zod";
import { isRealDate, PeriodError, parsePeriod, periodFromRange, type Period } from "../../../core/statistics/periods";
import { getRegion } from "../../../core/regions";
import { STATISTICS_SOURCES, type StatisticsSource } from "../../../core/statistics/report-shape";

/** The query keys the page reads, in the order its links write them. */
export const STATISTICS_QUERY_KEYS = ["period", "from", "to", "region", "team", "source", "campaign"] as const;
const FORM_REGION_KEYS = ["province", "city", "district"] as const;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const regionCode = z.string().regex(/^\d{6}$/);
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const querySchema = z.object({
  period: optional(z.string().max(40)),
  from: optional(z.string().max(10)),
  to: optional(z.string().max(10)),
  region: optional(regionCode),
  province: optional(regionCode),
  city: optional(regionCode),
  district: optional(regionCode),
  team: optional(id),
  source: optional(z.enum(STATISTICS_SOURCES)),
  campaign: optional(id),
});

/** What the page asks the statistics use case, and what its form and links show again. */
export interface StatisticsQuery {
  /** The period text as given ("2026-11", "2026-Q4", "2026"), when no from/to. */
  period?: string;
  from?: string;
  to?: string;
  /** The period it reads as (checked here so a bad one is named in words before anything is computed). */
  resolved: Period | null;
  regionCode?: string;
  teamId?: string;
  source?: StatisticsSource;
  campaignId?: string;
}

export type StatisticsQueryProblem = { field: "period" | "from" | "to" | "region" | "team" | "source" | "campaign"; periodCode?: PeriodError["code"] | "both_dates" };

/**
 * The one region the selects name: the lowest level that belongs under the ones above it. A city left
 * from another province (the province was changed without JavaScript to reload the cities) is dropped,
 * not an error; an explicit `region` wins over the selects.
 */
function regionOf(q: { region?: string | undefined; province?: string | undefined; city?: string | undefined; district?: string | undefined }): string | undefined {
  if (q.region) return q.region;
  let code = q.province;
  if (q.city && (!code || getRegion(q.city)?.parentCode === code)) code = q.city;
  else return code;
  if (q.district && getRegion(q.district)?.parentCode === code) code = q.district;
  return code;
}

export function readStatisticsQuery(raw: Record<string, string | undefined>, now: Date): { ok: true; query: StatisticsQuery } | { ok: false; problems: StatisticsQueryProblem[] } {
  const parsed = querySchema.safeParse(Object.fromEntries([...STATISTICS_QUERY_KEYS, ...FORM_REGION_KEYS].map((k) => [k, raw[k]])));
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    return { ok: false, problems: fields.map((f) => ({ field: (FORM_REGION_KEYS as readonly string[]).includes(f) ? "region" : (f as StatisticsQueryProblem["field"]) })) };
  }
  const q = parsed.data;
  const problems: StatisticsQueryProblem[] = [];
  let resolved: Period | null = null;
  const range = q.from !== undefined || q.to !== undefined;
  try {
    if (range) {
      if (q.from === undefined || q.to === undefined) problems.push({ field: q.from === undefined ? "from" : "to", periodCode: "both_dates" });
      else {
        for (const [field, d] of [["from", q.from], ["to", q.to]] as const) if (!isRealDate(d)) problems.push({ field, periodCode: /^\d{4}-\d{2}-\d{2}$/.test(d) ? "impossible_date" : "invalid_format" });
        if (!problems.length) resolved = periodFromRange(q.from, q.to);
      }
    } else if (q.period !== undefined) resolved = parsePeriod(q.period, now);
  } catch (e) {
    if (!(e instanceof PeriodError)) throw e;
    problems.push({ field: range ? "to" : "period", periodCode: e.code });
  }
  const region = regionOf(q);
  if (region !== undefined && !getRegion(region)) problems.push({ field: "region" });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    query: {
      ...(range ? { from: q.from!, to: q.to! } : q.period !== undefined ? { period: q.period } : {}),
      resolved,
      ...(region ? { regionCode: region } : {}),
      ...(q.team ? { teamId: q.team } : {}),
      ...(q.source ? { source: q.source } : {}),
      ...(q.campaign ? { campaignId: q.campaign } : {}),
    },
  };
}

/** "?period=2026-11&region=510100…": the filters as a query string (links to exports and pages keep them). */
export function statisticsQueryString(q: Pick<StatisticsQuery, "period" | "from" | "to" | "regionCode" | "teamId" | "source" | "campaignId">): string {
  const params = new URLSearchParams();
  const values: Record<(typeof STATISTICS_QUERY_KEYS)[number], string | undefined> = {
    period: q.period,
    from: q.from,
    to: q.to,
    region: q.regionCode,
    team: q.teamId,
    source: q.source,
    campaign: q.campaignId,
  };
  for (const k of STATISTICS_QUERY_KEYS) if (values[k] !== undefined && values[k] !== "") params.set(k, values[k]!);
  const s = params.toString();
  return s ? `?${s}` : "";
}
