import { describe, expect, it } from "vitest";
import { getRegion, listRegions, regionDisplayName, resolveRegion } from "../../src/core/regions";

describe("administrative divisions", () => {
  it("cover the whole country from the data package", () => {
    expect(listRegions(null).length).toBeGreaterThanOrEqual(31);
    let districts = 0;
    for (const p of listRegions(null)) for (const c of listRegions(p.code)) districts += listRegions(c.code).length;
    expect(districts).toBeGreaterThan(2800);
    expect(getRegion("110105")).toMatchObject({ name: "朝阳区", level: "district", parentCode: "110100" });
    expect(getRegion("510100")).toMatchObject({ name: "成都市", level: "city", parentCode: "510000" });
  });

  it("fill in province and city from a district alone", () => {
    expect(resolveRegion({ districtCode: "510104" })).toEqual({
      ok: true,
      value: { provinceCode: "510000", cityCode: "510100", districtCode: "510104", regionCode: "510104" },
    });
  });

  it("refuse inconsistent or unknown choices, naming the field", () => {
    expect(resolveRegion({ provinceCode: "110000", cityCode: "510100" })).toMatchObject({ ok: false, field: "cityCode", problem: "city_mismatch" });
    expect(resolveRegion({ cityCode: "110100", districtCode: "510104" })).toMatchObject({ ok: false, field: "districtCode", problem: "district_mismatch" });
    expect(resolveRegion({ districtCode: "999999" })).toMatchObject({ ok: false, field: "districtCode", problem: "district_unknown" });
    expect(resolveRegion({ provinceCode: "110100" })).toMatchObject({ ok: false, field: "provinceCode", problem: "province_unknown" });
  });

  it("display names skip placeholder levels of municipalities", () => {
    expect(regionDisplayName("110105")).toBe("北京市 朝阳区");
    expect(regionDisplayName("510104")).toBe("四川省 成都市 锦江区");
  });
});
