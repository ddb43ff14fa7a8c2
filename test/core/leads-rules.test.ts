import { describe, expect, it } from "vitest";
import { applyLeadCommand } from "../../src/core/lead-lifecycle";
import { routeLead, regionScopePrefix, type RoutingMember, type RoutingTeam } from "../../src/core/routing";
import { findClusterLead, institutionKey } from "../../src/core/clustering";
import { excerpt, scrubText, REDACTED } from "../../src/core/scrub";
import { findFocusItems, FOCUS_ITEMS } from "../../src/core/focus-list";
import { detectFocusAreas } from "../../src/core/focus-areas";
import { amountBand } from "../../src/core/amount-band";

describe("lead lifecycle", () => {
  it("moves through acknowledge, accept, investigate and conclude", () => {
    expect(applyLeadCommand("new", { type: "acknowledge" })).toMatchObject({ ok: true, state: "acknowledged", reportStatus: "in_review" });
    expect(applyLeadCommand("acknowledged", { type: "accept" })).toMatchObject({ ok: true, state: "accepted", reportStatus: "accepted" });
    expect(applyLeadCommand("accepted", { type: "investigate" })).toMatchObject({ ok: true, state: "investigating" });
    expect(applyLeadCommand("investigating", { type: "conclude", outcome: "substantiated", amountFen: 120000 })).toMatchObject({
      ok: true,
      state: "concluded",
      outcome: "substantiated",
      amountFen: 120000,
      reportStatus: "concluded",
    });
  });

  it("treats a repeated press as no change, not an error", () => {
    expect(applyLeadCommand("acknowledged", { type: "acknowledge" })).toMatchObject({ ok: true, state: "acknowledged" });
    expect(applyLeadCommand("investigating", { type: "acknowledge" })).toMatchObject({ ok: true, state: "investigating" });
  });

  it("requires a reason to decline and an amount for substantiated outcomes", () => {
    expect(applyLeadCommand("new", { type: "decline", reason: "  " })).toEqual({ ok: false, reason: "reason_required" });
    expect(applyLeadCommand("new", { type: "decline", reason: "不属于医保基金使用范围" })).toMatchObject({ ok: true, state: "not_accepted", reportStatus: "not_accepted" });
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "partly_substantiated" })).toEqual({ ok: false, reason: "amount_required" });
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "substantiated", amountFen: 12.5 })).toEqual({ ok: false, reason: "amount_invalid" });
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "referred_police" })).toMatchObject({ ok: true, state: "concluded", amountFen: null });
  });

  it("refuses impossible moves", () => {
    expect(applyLeadCommand("concluded", { type: "accept" })).toEqual({ ok: false, reason: "invalid_transition" });
    expect(applyLeadCommand("new", { type: "conclude", outcome: "unsubstantiated" })).toEqual({ ok: false, reason: "invalid_transition" });
    expect(applyLeadCommand("accepted", { type: "decline", reason: "x" })).toEqual({ ok: false, reason: "invalid_transition" });
  });
});

describe("routing", () => {
  const team = (id: string, regionCode: string, extra: Partial<RoutingTeam> = {}): RoutingTeam => ({ id, regionCode, focusAreas: [], violationTypes: [], isCoordinators: false, active: true, ...extra });
  const member = (id: string, teamId: string, openLeads: number, role: RoutingMember["role"] = "inspector"): RoutingMember => ({ id, teamId, role, active: true, openLeads });
  const teams = [
    team("coord", "510000", { isCoordinators: true }),
    team("sichuan", "510000"),
    team("chengdu", "510100"),
    team("chengdu-ortho", "510100", { focusAreas: ["orthopaedics"] }),
    team("jinjiang", "510104", { violationTypes: ["drugs_for_daily_goods"] }),
  ];
  const members = [member("a", "chengdu", 3), member("b", "chengdu", 1), member("c", "chengdu-ortho", 5), member("d", "sichuan", 0), member("lead", "chengdu", 0, "team_lead")];

  it("scopes by region prefix", () => {
    expect(regionScopePrefix("000000")).toBe("");
    expect(regionScopePrefix("510000")).toBe("51");
    expect(regionScopePrefix("510100")).toBe("5101");
    expect(regionScopePrefix("510104")).toBe("510104");
  });

  it("picks the most specific team: district, then focus area, then violation type", () => {
    expect(routeLead({ regionCode: "510104", focusAreas: [], violationType: "drugs_for_daily_goods" }, teams, members).teamId).toBe("jinjiang");
    expect(routeLead({ regionCode: "510104", focusAreas: ["orthopaedics"], violationType: "ghost_admission" }, teams, members).teamId).toBe("chengdu-ortho");
    expect(routeLead({ regionCode: "510104", focusAreas: ["dialysis"], violationType: "ghost_admission" }, teams, members).teamId).toBe("chengdu");
    expect(routeLead({ regionCode: "511100", focusAreas: [], violationType: "ghost_admission" }, teams, members).teamId).toBe("sichuan");
  });

  it("assigns the inspector with the fewest open leads, before a team lead at equal load", () => {
    expect(routeLead({ regionCode: "510107", focusAreas: [], violationType: "ghost_admission" }, teams, members)).toEqual({ teamId: "chengdu", assigneeId: "lead", matched: true });
    const busyLead = members.map((m) => (m.id === "lead" ? { ...m, openLeads: 1 } : m));
    expect(routeLead({ regionCode: "510107", focusAreas: [], violationType: "ghost_admission" }, teams, busyLead).assigneeId).toBe("b");
  });

  it("falls back to the coordinators when no team covers the lead", () => {
    expect(routeLead({ regionCode: "110105", focusAreas: [], violationType: "ghost_admission" }, teams, members)).toEqual({ teamId: "coord", assigneeId: null, matched: false });
    expect(routeLead({ regionCode: "110105", focusAreas: [], violationType: "x" }, [], [])).toEqual({ teamId: null, assigneeId: null, matched: false });
  });
});

describe("clustering", () => {
  it("normalises institution names", () => {
    expect(institutionKey("某某 医院（总院）")).toBe(institutionKey("某某医院(总院)"));
    expect(institutionKey("ＡＢＣ Pharmacy")).toBe("abcpharmacy");
  });

  it("joins a tip to the newest open lead on the same institution and type within the window", () => {
    const at = new Date("2026-11-24T00:00:00Z");
    const c = (leadId: string, daysAgo: number, extra = {}) => ({
      leadId,
      institutionKey: "某某医院",
      violationType: "ghost_admission",
      regionCode: "510104",
      lastReportAt: new Date(at.getTime() - daysAgo * 86_400_000),
      open: true,
      ...extra,
    });
    const tip = { institutionKey: "某某医院", violationType: "ghost_admission", regionCode: "510107", at };
    expect(findClusterLead(tip, [c("old", 20), c("new", 2)], 30)).toBe("new");
    expect(findClusterLead(tip, [c("stale", 31)], 30)).toBeNull();
    expect(findClusterLead(tip, [c("closed", 1, { open: false })], 30)).toBeNull();
    expect(findClusterLead(tip, [c("other-type", 1, { violationType: "split_hospitalisation" })], 30)).toBeNull();
    expect(findClusterLead(tip, [c("other-province", 1, { regionCode: "110105" })], 30)).toBeNull();
  });
});

describe("scrubbing chat excerpts", () => {
  it("removes phones, ID and card numbers, emails and introduced names but keeps institutions and amounts", () => {
    const text =
      "我叫王小明，电话138 0013 8000，身份证11010519491231002X，银行卡6222020200112233445。患者李四在某某医院康复科挂床，院长赵强知情，涉及12000元。联系 wang@example.com 或 028-86123456。";
    const scrubbed = scrubText(text);
    for (const secret of ["王小明", "138 0013 8000", "11010519491231002X", "6222020200112233445", "李四", "赵强", "wang@example.com", "028-86123456"])
      expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain("某某医院康复科挂床");
    expect(scrubbed).toContain("12000元");
    expect(scrubbed).toContain(`患者${REDACTED}`);
  });

  it("leaves ordinary words after a marker alone", () => {
    expect(scrubText("病人白天回家，医生说没问题，患者在某某医院住院")).toBe("病人白天回家，医生说没问题，患者在某某医院住院");
  });

  it("removes the tipster's own details wherever they appear", () => {
    expect(scrubText("张伟说他看见了", { names: ["张伟"] })).toBe(`${REDACTED}说他看见了`);
  });

  it("cuts excerpts on character boundaries", () => {
    expect(excerpt("一二三四五", 3)).toBe("一二…");
    expect(excerpt("一二三", 3)).toBe("一二三");
  });
});

describe("focus list and focus areas", () => {
  it("holds every row of the national focus list", () => {
    expect(FOCUS_ITEMS.filter((i) => i.category === "western")).toHaveLength(30);
    expect(FOCUS_ITEMS.filter((i) => i.category === "consumable")).toHaveLength(30);
    expect(FOCUS_ITEMS.find((i) => i.name === "人血白蛋白")?.codes).toEqual(["XB05AAR021B001", "XB05AAR021B002", "XB05AAR021B005"]);
  });

  it("finds drugs and consumables named in a tip, longest name first", () => {
    const names = (t: string) => findFocusItems(t).map((i) => i.name);
    expect(names("开了大量人血白蛋白和左旋氨氯地平，还用了冠脉药物涂层球囊")).toEqual(["人血白蛋白", "左氨氯地平(左旋氨氯地平)", "冠脉药物涂层球囊"]);
    expect(names("药店用医保卡卖连花清瘟胶囊换洗发水")).toEqual(["连花清瘟片(胶囊、颗粒)"]);
    expect(names("没有相关药品")).toEqual([]);
  });

  it("recognises focus areas from the words of a tip", () => {
    expect(detectFocusAreas("骨科手术虚高收费，使用骨水泥")).toEqual(["orthopaedics"]);
    expect(detectFocusAreas("血透病人被重复收取透析费用，并做了CT")).toEqual(["dialysis", "imaging"]);
  });

  it("bands amounts", () => {
    expect(amountBand(null)).toBe("unknown");
    expect(amountBand(999_999)).toBe("under_10k");
    expect(amountBand(1_000_000)).toBe("10k_100k");
    expect(amountBand(1_000_000_000)).toBe("over_10m");
  });
});
