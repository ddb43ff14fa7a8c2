// Statistics deliverables fill themselves (issue 18 item 4): over the known statistics history, a campaign
// with a monthly statistics table; district bureaus get their own district's figures for the reported
// month through the unit page's signed link; handed-in workbooks are compared with the computed figures
// ("same", "differs: 1", "not comparable" for a zip bomb, a lying zip, an oversized or non-XLSX file)
// and the board flags each submission.
import { eq } from "drizzle-orm";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endOfLocalDay } from "../../src/core/campaigns/local-time";
import { monthPeriod } from "../../src/core/statistics/periods";
import { parseFigureCheck } from "../../src/core/statistics/compare-figures";
import { assignments, campaigns, deliverables, events, members, submissionFiles, units } from "../../src/db/schema";
import { boardUrl, statisticsWorkbookUrl, unitPageUrl } from "../../src/services/campaigns/links";
import { unitMessage } from "../../src/services/campaigns/messages";
import { computeStatistics } from "../../src/services/statistics/compute";
import { checkSubmittedStatistics } from "../../src/services/statistics/deliverable-figures";
import { readSubmittedFigures } from "../../src/services/statistics/read-submitted-figures";
import { createTestContext, type TestContext } from "../support/context";
import { pdfFile } from "../support/office-files";
import { seedStatisticsHistory } from "../support/statistics-history";

let ctx: TestContext;
const CAMPAIGN = "cmp_sd";
const DELIVERABLE = "dlv_sd_monthly";
/** District bureaus of Chengdu's Jinjiang (510104) and Qingyang (510105), and the city bureau (510100). */
const UNITS = [
  { id: "bureau-jinjiang", name: "成都市锦江区医疗保障局（统计表测试）", regionCode: "510104" },
  { id: "bureau-qingyang", name: "成都市青羊区医疗保障局（统计表测试）", regionCode: "510105" },
  { id: "bureau-chengdu", name: "成都市医疗保障局（统计表测试）", regionCode: "510100" },
] as const;
const contactOf = (unitId: string) => `mem_sd_${unitId}`;
const asgOf = (unitId: string, period = "2026-11") => `asg_sd_${unitId}_${period}`;
let coordinatorId: string;

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const unescape = (s: string) => s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
const unitPage = async (unitId: string) => (await ctx.app.request(pathOf(await unitPageUrl(ctx.deps, { memberId: contactOf(unitId), unitId }, ctx.deps.now()))));
const xlsxKeys = (bytes: Uint8Array) => {
  const read = readSubmittedFigures(bytes, new Set(["leads.received", "leads.bySource.tip", "leads.bySource.batch", "leads.bySource.hotline", "amounts.recoveredFen"]));
  expect(read.ok).toBe(true);
  return { figures: new Map(read.ok ? read.figures.rows.map((r) => [r.key, r.cell]) : []), marker: read.ok ? read.figures.marker : null };
};

/** The workbook's statistics sheet with the value of one figure's row replaced (the row found by its key string). */
function withFigure(bytes: Uint8Array, key: string, value: number): Uint8Array {
  const files = unzipSync(bytes);
  const shared = [...strFromU8(files["xl/sharedStrings.xml"]!).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ""));
  const index = shared.indexOf(key);
  expect(index).toBeGreaterThanOrEqual(0);
  const sheet = strFromU8(files["xl/worksheets/sheet1.xml"]!);
  const edited = sheet.replace(/<row\b[^>]*>([\s\S]*?)<\/row>/g, (row, inner: string) =>
    new RegExp(`t="s"[^>]*><v>${index}</v>`).test(inner) ? row.replace(/(<c r="B\d+"[^>]*?)(?: t="[^"]*")?>(?:<v>[^<]*<\/v>|<is>[\s\S]*?<\/is>)<\/c>/, `$1><v>${value}</v></c>`) : row,
  );
  expect(edited).not.toBe(sheet);
  files["xl/worksheets/sheet1.xml"] = strToU8(edited);
  return zipSync(files);
}

/** Sets the inflated size the central directory declares for one entry (a zip that lies about its size). */
function lyingSize(bytes: Uint8Array, name: string, size: number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let at = 0; at + 46 < out.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    if (strFromU8(out.subarray(at + 46, at + 46 + nameLength)) === name) {
      view.setUint32(at + 24, size, true);
      return out;
    }
  }
  throw new Error(`no entry ${name}`);
}

async function submit(unitId: string, file: { name: string; bytes: Uint8Array }, period = "2026-11") {
  const html = await (await unitPage(unitId)).text();
  const section = html.slice(html.indexOf(`data-assignment="${asgOf(unitId, period)}"`));
  const m = /<form method="post" action="([^"]*\/submit\?[^"]*)"[^>]*>[\s\S]*?name="_once" value="([^"]+)"/.exec(section);
  expect(m).not.toBeNull();
  const form = new FormData();
  form.set("_once", m![2]!);
  form.append("files", new File([file.bytes as Uint8Array<ArrayBuffer>], file.name));
  const res = await ctx.app.request(unescape(m![1]!), { method: "POST", body: form, redirect: "manual" });
  expect(res.status, await res.clone().text()).toBe(303);
}

async function storedCheck(unitId: string, period = "2026-11") {
  const rows = await ctx.db.select().from(submissionFiles).where(eq(submissionFiles.assignmentId, asgOf(unitId, period)));
  expect(rows).toHaveLength(1);
  return parseFigureCheck(rows[0]!.figureCheck);
}

async function download(unitId: string, assignmentId = asgOf(unitId), as = contactOf(unitId)) {
  return ctx.app.request(pathOf(await statisticsWorkbookUrl(ctx.deps, { memberId: as, unitId, assignmentId }, ctx.deps.now())));
}

beforeAll(async () => {
  ctx = await createTestContext();
  await seedStatisticsHistory(ctx);
  // The history leaves the clock at 2026-12-31 16:00; the November table was due on 12-05, October's on 11-05.
  const now = ctx.deps.now().getTime();
  coordinatorId = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!.id;
  const db = ctx.db;
  await db.insert(campaigns).values({ id: CAMPAIGN, name: "2026年医保基金监管统计", year: 2026, regionCode: "510000", issuer: "四川省医疗保障局", definition: "{}", createdAt: now, updatedAt: now });
  await db.insert(deliverables).values({
    id: DELIVERABLE,
    campaignId: CAMPAIGN,
    key: "monthly-statistics",
    title: "医保基金监管工作情况统计表（按月）",
    titleEn: "Fund supervision statistics table (monthly)",
    unitKinds: JSON.stringify(["bureau"]),
    recurrence: JSON.stringify({ every: "month", day: 5 }),
    statistics: JSON.stringify({ cadence: "monthly" }),
    createdAt: now,
  });
  for (const u of UNITS) {
    await db.insert(units).values({ ...u, kind: "bureau", platform: "console", chatId: `chat-${u.id}`, createdAt: now, updatedAt: now });
    await db.insert(members).values({ id: contactOf(u.id), displayName: `联系人${u.name}`, role: "contact", unitId: u.id, locale: "en", createdAt: now, updatedAt: now });
    await db.insert(assignments).values({ id: asgOf(u.id), campaignId: CAMPAIGN, deliverableId: DELIVERABLE, unitId: u.id, period: "2026-11", dueAt: endOfLocalDay("2026-12-05"), createdAt: now, updatedAt: now });
  }
  await db.insert(assignments).values({ id: asgOf("bureau-jinjiang", "2026-10"), campaignId: CAMPAIGN, deliverableId: DELIVERABLE, unitId: "bureau-jinjiang", period: "2026-10", dueAt: endOfLocalDay("2026-11-05"), createdAt: now, updatedAt: now });
}, 120_000);

afterAll(async () => ctx?.close());

describe("a monthly statistics table", () => {
  it("offers a district bureau its own district's figures for the reported month on its unit page", async () => {
    const res = await unitPage("bureau-jinjiang");
    expect(res.status).toBe(200);
    const html = await res.text();
    const offers = [...html.matchAll(/data-testid="statistics-offer" data-region="(\d+)" data-period="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(offers).toEqual([
      ["510104", "2026-10"],
      ["510104", "2026-11"],
    ]);
    expect(html).toContain("Your figures for");
    expect(html).toContain(`/units/bureau-jinjiang/assignments/${asgOf("bureau-jinjiang")}/statistics.xlsx?t=`);
  });

  it("pre-fills the workbook with the district's figures (not the city's, not another district's, not another month's) and logs the download", async () => {
    const res = await download("bureau-jinjiang");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("content-disposition")).toContain("bureau-jinjiang-monthly-statistics-2026-11.xlsx");
    const { figures, marker } = xlsxKeys(new Uint8Array(await res.arrayBuffer()));
    // By hand (statistics-history.ts): in November, Jinjiang 510104 received L1 and L2 (two tips); L1 was
    // concluded on 11-20 with 1,000,000.00 yuan recovered. Qingyang 510105 received L4 (hotline) and L5
    // (batch); the city 510100 received L1, L2, L4, L5 and L6.
    expect(Object.fromEntries(figures)).toEqual({ "leads.received": 2, "leads.bySource.tip": 2, "leads.bySource.batch": 0, "leads.bySource.hotline": 0, "amounts.recoveredFen": 1_000_000 });
    expect(marker).toBe("fundwatch-statistics;region=510104;period=2026-11");
    const engine = await computeStatistics(ctx.deps, { period: monthPeriod(2026, 11), regionCode: "510104" }, ctx.deps.now());
    expect(engine.leads.received).toBe(2);

    const qingyang = xlsxKeys(new Uint8Array(await (await download("bureau-qingyang")).arrayBuffer()));
    expect([qingyang.figures.get("leads.bySource.tip"), qingyang.figures.get("leads.bySource.hotline"), qingyang.figures.get("leads.bySource.batch")]).toEqual([0, 1, 1]);
    const city = xlsxKeys(new Uint8Array(await (await download("bureau-chengdu")).arrayBuffer()));
    expect(city.figures.get("leads.received")).toBe(5);
    const october = xlsxKeys(new Uint8Array(await (await download("bureau-jinjiang", asgOf("bureau-jinjiang", "2026-10"))).arrayBuffer()));
    expect(october.figures.get("leads.received")).toBe(0);
    expect(october.marker).toBe("fundwatch-statistics;region=510104;period=2026-10");

    const logged = await ctx.db.select().from(events).where(eq(events.action, "statistics_workbook.downloaded"));
    const mine = logged.filter((e) => e.entityId === asgOf("bureau-jinjiang"));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.actorId).toBe(contactOf("bureau-jinjiang"));
    expect(JSON.parse(mine[0]!.data!)).toMatchObject({ unitId: "bureau-jinjiang", regionCode: "510104", period: "2026-11" });
  });

  it("refuses another unit's workbook, a forged link and a member who is not the unit's contact", async () => {
    const before = (await ctx.db.select().from(events).where(eq(events.action, "statistics_workbook.downloaded"))).length;
    // Jinjiang's contact, Jinjiang's link, Qingyang's assignment.
    expect((await download("bureau-jinjiang", asgOf("bureau-qingyang"))).status).toBe(403);
    // A link issued to Qingyang's contact for Jinjiang's page.
    expect((await download("bureau-jinjiang", asgOf("bureau-jinjiang"), contactOf("bureau-qingyang"))).status).toBe(403);
    expect((await ctx.app.request(`/units/bureau-jinjiang/assignments/${asgOf("bureau-jinjiang")}/statistics.xlsx?t=forged.1.2`)).status).toBe(403);
    expect((await ctx.db.select().from(events).where(eq(events.action, "statistics_workbook.downloaded"))).length).toBe(before);
  });

  it("the reminder offers the prepared figures", () => {
    const message = unitMessage(
      {
        campaign: { id: CAMPAIGN, name: "统计" },
        deliverable: { id: DELIVERABLE, key: "monthly-statistics", title: "统计表", titleEn: "Statistics table", statistics: JSON.stringify({ cadence: "monthly" }) },
        unit: { id: "bureau-jinjiang", name: UNITS[0].name, locale: "zh-CN", regionCode: "510104" },
        assignment: { id: asgOf("bureau-jinjiang"), dueAt: endOfLocalDay("2026-12-05"), period: "2026-11", dueVersion: 1, receivedVersion: null, state: "open" },
      },
      "before",
      { offsetDays: 3 },
    );
    expect(message.kind === "card" && message.card.body).toContain("锦江区");
    expect(message.kind === "card" && message.card.body).toContain("2026-11");
    expect(message.kind === "card" && message.card.body).toContain("预填工作簿");
  });
});

describe("a handed-in statistics table", () => {
  it("unchanged is the same as the computed figures; with one figure changed it differs in 1; a zip bomb is not comparable; the board flags each", async () => {
    const jinjiang = new Uint8Array(await (await download("bureau-jinjiang")).arrayBuffer());
    await submit("bureau-jinjiang", { name: "锦江区11月统计表.xlsx", bytes: jinjiang });
    expect(await storedCheck("bureau-jinjiang")).toMatchObject({ status: "same" });

    const qingyang = new Uint8Array(await (await download("bureau-qingyang")).arrayBuffer());
    await submit("bureau-qingyang", { name: "青羊区11月统计表.xlsx", bytes: withFigure(qingyang, "leads.bySource.hotline", 4) });
    const differs = await storedCheck("bureau-qingyang");
    expect(differs).toEqual({ status: "differs", compared: expect.any(Number), differences: [{ key: "leads.bySource.hotline", computed: 1, submitted: 4, unit: "count" }] });

    // A bomb: the city's workbook with a sheet of 20 MB (20 KB compressed), honest about its size.
    const files = unzipSync(new Uint8Array(await (await download("bureau-chengdu")).arrayBuffer()));
    files["xl/worksheets/sheet1.xml"] = strToU8(`<worksheet><sheetData>${" ".repeat(20 * 1024 * 1024)}</sheetData></worksheet>`);
    const bomb = zipSync(files, { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    await submit("bureau-chengdu", { name: "成都市统计表.xlsx", bytes: bomb });
    expect(await storedCheck("bureau-chengdu")).toEqual({ status: "not_comparable", reason: "too_large" });

    // The board (the coordinator's signed link): one flag per submission.
    const board = await ctx.app.request(pathOf(await boardUrl(ctx.deps, { memberId: coordinatorId, campaignId: CAMPAIGN }, ctx.deps.now())));
    expect(board.status).toBe(200);
    const html = await board.text();
    const cell = (assignmentId: string) => {
      const start = html.indexOf(`data-cell="${assignmentId}"`);
      expect(start).toBeGreaterThan(0);
      return html.slice(start, html.indexOf("</div>", start));
    };
    expect(cell(asgOf("bureau-jinjiang"))).toContain('data-figures="same"');
    expect(cell(asgOf("bureau-qingyang"))).toContain('data-figures="differs" data-differing="1"');
    expect(cell(asgOf("bureau-qingyang"))).toMatch(/differs from computed figures: 1 figures|与系统计算数据不一致：1 项/);
    expect(cell(asgOf("bureau-chengdu"))).toContain('data-figures="not_comparable" data-reason="too_large"');
    // The October table, not handed in, has no flag.
    expect(cell(asgOf("bureau-jinjiang", "2026-10"))).not.toContain("data-figures");

    // The unit's task page lists the differing figure with both values.
    const page = await (await unitPage("bureau-qingyang")).text();
    const list = page.slice(page.indexOf('data-testid="figure-differences"'));
    expect(list).toContain('data-figure="leads.bySource.hotline"');
    expect(list).toMatch(/<td>1<\/td><td>4<\/td>/);
  }, 60_000);

  it("a PDF, a zip lying about its size, too many entries, an oversized file or another district's workbook is not comparable, and nothing crashes", async () => {
    const jinjiang = new Uint8Array(await (await download("bureau-jinjiang", asgOf("bureau-jinjiang", "2026-10"))).arrayBuffer());
    const many = unzipSync(jinjiang);
    for (let i = 0; i < 300; i++) many[`xl/media/image${i}.png`] = new Uint8Array([i % 256]);
    const oversized = unzipSync(jinjiang);
    const bigPhoto = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) % 251);
    oversized["xl/media/photo.bin"] = bigPhoto;
    const bombFiles = unzipSync(jinjiang);
    bombFiles["xl/worksheets/sheet1.xml"] = strToU8(`<worksheet><sheetData>${"<row>".repeat(2 * 1024 * 1024)}</sheetData></worksheet>`);
    const lying = lyingSize(zipSync(bombFiles, { level: 9 }), "xl/worksheets/sheet1.xml", 4096);
    const qingyang = new Uint8Array(await (await download("bureau-qingyang")).arrayBuffer());

    const checks = await checkSubmittedStatistics(ctx.deps, asgOf("bureau-jinjiang", "2026-10"), [
      { bytes: await pdfFile("Statistics table") },
      { bytes: lying },
      { bytes: zipSync(many) },
      { bytes: zipSync(oversized, { level: 0 }) },
      { bytes: qingyang },
      { bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]) },
      { bytes: jinjiang },
    ]);
    expect(checks).toEqual([
      { status: "not_comparable", reason: "not_xlsx" },
      { status: "not_comparable", reason: "unreadable" },
      { status: "not_comparable", reason: "too_large" },
      { status: "not_comparable", reason: "too_large" },
      { status: "not_comparable", reason: "other_scope" },
      { status: "not_comparable", reason: "unreadable" },
      { status: "same", compared: expect.any(Number) },
    ]);

    // Through the page: a PDF handed in for the October table is stored, and "not comparable".
    await submit("bureau-jinjiang", { name: "统计表.pdf", bytes: await pdfFile("Statistics table") }, "2026-10");
    expect(await storedCheck("bureau-jinjiang", "2026-10")).toEqual({ status: "not_comparable", reason: "not_xlsx" });
  }, 60_000);

  it("a deliverable that is no statistics table gets no check", async () => {
    await ctx.db.update(deliverables).set({ statistics: null }).where(eq(deliverables.id, DELIVERABLE));
    try {
      expect(await checkSubmittedStatistics(ctx.deps, asgOf("bureau-jinjiang"), [{ bytes: new Uint8Array([1]) }])).toEqual([]);
      expect(await (await unitPage("bureau-jinjiang")).text()).not.toContain('data-testid="statistics-offer"');
      expect((await download("bureau-jinjiang")).status).toBe(403);
    } finally {
      await ctx.db.update(deliverables).set({ statistics: JSON.stringify({ cadence: "monthly" }) }).where(eq(deliverables.id, DELIVERABLE));
    }
  });
});
