// The unit page and the coordinators' board over app.request(): signed links that refuse the wrong
// reader with a clear 403, Received and Submit (note plus PDF/XLSX) from the unit page taking effect
// once, bad uploads refused with the error on the field and nothing stored, the board's counts,
// matrix, filters and CSV, and a coordinator opening the unit's document from the board (logged).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, submissionFileChunks, submissionFiles, submissions, members } from "../../src/db/schema";
import { moveDeadline, reviewSubmission } from "../../src/services/campaigns/assignments";
import { boardUrl, unitPageUrl } from "../../src/services/campaigns/links";
import { createTestContext, type TestContext } from "../support/context";
import { seedCampaign, type SeededCampaign } from "../support/campaign-seed";
import { pdfFile, xlsmFile, xlsxFile } from "../support/office-files";

let ctx: TestContext;
let seed: SeededCampaign;
let other: SeededCampaign;

beforeAll(async () => {
  ctx = await createTestContext({ MAX_SUBMISSION_FILE_BYTES: String(64 * 1024), MAX_SUBMISSION_FILES: "3" });
  seed = await seedCampaign(ctx, { units: 4 });
  other = await seedCampaign(ctx, { units: 1, prefix: "o" });
});
afterAll(() => ctx.close());

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const unitA = () => seed.unitIds[0]!;
const unitB = () => seed.unitIds[1]!;
const contactA = () => seed.contacts.get(unitA())!;
const asg = (unit: string, key: string) => seed.assignmentIds.get(`${unit}|${key}`)!;
const unitLink = async (memberId: string, unitId: string) => pathOf(await unitPageUrl(ctx.deps, { memberId, unitId }, ctx.deps.now()));
const boardLink = async (memberId: string, campaignId = seed.campaignId) => pathOf(await boardUrl(ctx.deps, { memberId, campaignId }, ctx.deps.now()));
const unescape = (s: string) => s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");

/** The section of one task, and the action + one-time key of one of its forms. */
function taskHtml(html: string, assignmentId: string): string {
  const start = html.indexOf(`data-assignment="${assignmentId}"`);
  expect(start).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</section>", start));
}
function formOf(html: string, assignmentId: string, kind: "receive" | "submit"): { action: string; once: string } {
  const section = taskHtml(html, assignmentId);
  const m = new RegExp(`<form method="post" action="([^"]*/${kind}\\?[^"]*)"[^>]*>[\\s\\S]*?name="_once" value="([^"]+)"`).exec(section);
  expect(m, `${kind} form of ${assignmentId}`).not.toBeNull();
  return { action: unescape(m![1]!), once: m![2]! };
}
const post = (path: string, body: FormData | URLSearchParams, headers: Record<string, string> = {}) => ctx.app.request(path, { method: "POST", body, headers, redirect: "manual" });
const eventsOf = (action: string) => ctx.db.select().from(events).where(eq(events.action, action));

async function expectRefused(res: Response) {
  expect(res.status).toBe(403);
  const html = await res.text();
  expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  expect(html).toContain('data-testid="refusal"');
}

describe("the unit page link", () => {
  it("opens for the unit's own contact, in standards mode and the contact's language", async () => {
    const res = await ctx.app.request(await unitLink(contactA(), unitA()));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html><html lang=\"zh-CN\">")).toBe(true);
    const first = taskHtml(html, asg(unitA(), "self-inspection"));
    // Due 2026-11-20 at the end of the day in Beijing; the test clock is 2026-11-24: overdue.
    expect(first).toContain("2026-11-20 23:59");
    expect(first).toContain("已逾期");
    expect(first).toContain('data-received="no"');
    expect(html).toContain('<label for="note-');
    for (const key of ["statistics", "summary"]) expect(html).toContain(`data-assignment="${asg(unitA(), key)}"`);
    // Nothing of another unit.
    expect(html).not.toContain(asg(unitB(), "self-inspection"));
  });

  it("refuses with a clear 403 an expired, forged, foreign or missing token, an inspector and another unit's contact", async () => {
    const good = await unitLink(contactA(), unitA());
    const cases = [
      `/units/${unitA()}`,
      `/units/${unitA()}?t=garbage`,
      `/units/${unitA()}?t=${encodeURIComponent("a.b.c")}`,
      // A's token on B's page.
      good.replace(`/units/${unitA()}`, `/units/${unitB()}`),
      // Correctly signed, but for people who are not A's contacts.
      await unitLink(seed.contacts.get(unitB())!, unitA()),
      await unitLink(seed.inspectorId, unitA()),
      await unitLink(seed.coordinatorId, unitA()),
      await unitLink(contactA(), "no-such-unit"),
    ];
    for (const path of cases) await expectRefused(await ctx.app.request(path));
    const now = ctx.deps.now();
    ctx.setNow(new Date(now.getTime() + 7 * 86_400_000 + 60_000));
    await expectRefused(await ctx.app.request(good));
    ctx.setNow(now);
    // A deactivated contact's links stop working at once.
    const contactD = seed.contacts.get(seed.unitIds[3]!)!;
    const link = await unitLink(contactD, seed.unitIds[3]!);
    expect((await ctx.app.request(link)).status).toBe(200);
    await ctx.db.update(members).set({ active: false }).where(eq(members.id, contactD));
    await expectRefused(await ctx.app.request(link));
    await ctx.db.update(members).set({ active: true }).where(eq(members.id, contactD));
  });
});

describe("acknowledging and submitting from the unit page", () => {
  it("Received takes effect once, however often the form is posted", async () => {
    const link = await unitLink(contactA(), unitA());
    const id = asg(unitA(), "statistics");
    const form = formOf(await (await ctx.app.request(link)).text(), id, "receive");
    const body = () => new URLSearchParams({ _once: form.once });
    const first = await post(form.action, body());
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toContain("done=received");
    const again = await post(form.action, body());
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toContain("done=already");
    const received = (await eventsOf("assignment.received")).filter((e) => e.entityId === id);
    expect(received).toHaveLength(1);
    expect(received[0]!.actorId).toBe(contactA());
    expect(received[0]!.platform).toBe("web");
    const page = await (await ctx.app.request(first.headers.get("location")!)).text();
    expect(page).toContain("已记录：您已确认收到截止时间。");
    expect(taskHtml(page, id)).toContain('data-received="yes"');
    // No Received button any more for this deadline.
    expect(taskHtml(page, id)).not.toContain("/receive?");
  });

  it("a cross-site post is refused before anything is recorded", async () => {
    const link = await unitLink(contactA(), unitA());
    const id = asg(unitA(), "summary");
    const form = formOf(await (await ctx.app.request(link)).text(), id, "receive");
    const res = await post(form.action, new URLSearchParams({ _once: form.once }), { "sec-fetch-site": "cross-site" });
    expect(res.status).toBe(403);
    expect((await eventsOf("assignment.received")).filter((e) => e.entityId === id)).toHaveLength(0);
  });

  it("refuses bad uploads with the error on the field and stores nothing", async () => {
    const link = await unitLink(contactA(), unitA());
    const id = asg(unitA(), "self-inspection");
    const form = formOf(await (await ctx.app.request(link)).text(), id, "submit");
    const pdf = await pdfFile();
    const attempts: [string, (f: FormData) => void, RegExp][] = [
      ["files", (f) => f.append("files", new File([xlsmFile() as Uint8Array<ArrayBuffer>], "宏.xlsm")), /宏\.xlsm/],
      ["files", (f) => f.append("files", new File([new Uint8Array(64 * 1024 + 1).fill(0x25) as Uint8Array<ArrayBuffer>], "大文件.pdf")), /大文件\.pdf.*64 KB/],
      ["files", (f) => f.append("files", new File([new Uint8Array(0)], "空.pdf")), /空\.pdf/],
      ["files", (f) => ["a", "b", "c", "d"].forEach((n) => f.append("files", new File([pdf as Uint8Array<ArrayBuffer>], `${n}.pdf`))), /3/],
      ["files", (f) => f.append("files", new File([new TextEncoder().encode("MZ\x90\0 exe")], "report.pdf", { type: "application/pdf" })), /report\.pdf/],
      ["note", () => undefined, /说明或链接/],
      ["note", (f) => f.set("note", "长".repeat(2001)), /2000/],
    ];
    for (const [field, fill, message] of attempts) {
      const f = new FormData();
      f.set("_once", form.once);
      f.set("note", field === "files" ? "自查报告见附件" : "");
      fill(f);
      const res = await post(form.action, f);
      expect(res.status, String(message)).toBe(400);
      const html = await res.text();
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      const task = taskHtml(html, id);
      const error = new RegExp(`<p class="error" id="${field}-${id}-error" role="alert" data-field-error="${field}">([^<]*)</p>`).exec(task);
      expect(error, `${field} error for ${message}`).not.toBeNull();
      expect(error![1]).toMatch(message);
      // The input points at its error, and the typed note is kept.
      expect(task).toContain(`aria-describedby="${field}-${id}-hint ${field}-${id}-error"`);
      if (field === "files") expect(task).toContain("自查报告见附件</textarea>");
    }
    expect(await ctx.db.select().from(submissionFiles)).toHaveLength(0);
    expect(await ctx.db.select().from(submissionFileChunks)).toHaveLength(0);
    expect(await ctx.db.select().from(submissions)).toHaveLength(0);
    expect((await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, id) }))!.state).toBe("open");
    // A body larger than every document together is refused before it is read.
    const huge = new FormData();
    huge.set("_once", form.once);
    huge.append("files", new File([new Uint8Array(3 * 64 * 1024 + 1024 * 1024 + 10) as Uint8Array<ArrayBuffer>], "huge.pdf"));
    expect((await post(form.action, huge)).status).toBe(413);
    expect(await ctx.db.select().from(submissionFiles)).toHaveLength(0);
  });

  it("submits a note with a PDF and an XLSX once; the contact downloads them back and the history shows every step", async () => {
    const link = await unitLink(contactA(), unitA());
    const id = asg(unitA(), "self-inspection");
    const form = formOf(await (await ctx.app.request(link)).text(), id, "submit");
    const pdf = await pdfFile("Self-inspection report of unit A");
    const xlsx = xlsxFile([["问题", "金额"], ["挂床住院", "12000"]]);
    const body = () => {
      const f = new FormData();
      f.set("_once", form.once);
      f.set("note", "自查报告及统计表见附件");
      f.append("files", new File([pdf as Uint8Array<ArrayBuffer>], "自查报告.pdf", { type: "application/octet-stream" }));
      f.append("files", new File([xlsx as Uint8Array<ArrayBuffer>], "统计表.xlsx"));
      return f;
    };
    const res = await post(form.action, body());
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("done=submitted");
    // The same form posted again (a double click, a reload): nothing new.
    const again = await post(form.action, body());
    expect(again.headers.get("location")).toContain("done=already");
    const subs = await ctx.db.select().from(submissions).where(eq(submissions.assignmentId, id));
    expect(subs).toHaveLength(1);
    const files = await ctx.db.select().from(submissionFiles).where(eq(submissionFiles.assignmentId, id));
    expect(files.map((f) => f.mediaType).sort()).toEqual(["application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]);
    expect(files.every((f) => f.submissionId === subs[0]!.id)).toBe(true);
    expect((await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, id) }))!.state).toBe("submitted");
    expect((await eventsOf("assignment.submitted")).filter((e) => e.entityId === id)).toHaveLength(1);

    // A fresh form posted to the task now under review: refused, and its document is not kept.
    const late = new FormData();
    late.set("_once", "B".repeat(22));
    late.append("files", new File([pdf as Uint8Array<ArrayBuffer>], "再次.pdf"));
    const refused = await post(form.action, late);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("当前无法执行此操作：任务状态为已提交，待审核。");
    expect(await ctx.db.select().from(submissionFiles)).toHaveLength(2);
    expect(await ctx.db.select().from(submissionFileChunks)).toHaveLength(2);

    const page = await (await ctx.app.request(res.headers.get("location")!)).text();
    const task = taskHtml(page, id);
    expect(task).toContain("已提交，待审核");
    expect(task).toContain("自查报告及统计表见附件");
    expect(task).not.toContain("/submit?");
    const href = unescape(/<a href="([^"]*\/files\/[^"]+)">统计表\.xlsx（XLSX/.exec(task)![1]!);
    const download = await ctx.app.request(href);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(download.headers.get("content-disposition")).toContain(".xlsx");
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(xlsx))).toBe(true);
    const viewed = await eventsOf("submission_file.viewed");
    expect(viewed).toHaveLength(1);
    expect(viewed[0]!.actorId).toBe(contactA());
    // Another unit's contact cannot fetch it through their own page.
    const bLink = await unitLink(seed.contacts.get(unitB())!, unitB());
    const fileId = /files\/([^?]+)/.exec(href)![1]!;
    await expectRefused(await ctx.app.request(`/units/${unitB()}/files/${fileId}?${bLink.split("?")[1]}`));
    expect(await eventsOf("submission_file.viewed")).toHaveLength(1);
    const history = page.slice(page.indexOf('data-testid="history"'));
    expect(history).toContain('data-action="assignment.submitted"');
    expect(history).toContain('data-action="assignment.received"');
  });

  it("a contact of another unit posting to this unit's task is refused and logged", async () => {
    const bLink = await unitLink(seed.contacts.get(unitB())!, unitB());
    const res = await post(`/units/${unitB()}/assignments/${asg(unitA(), "summary")}/receive?${bLink.split("?")[1]}`, new URLSearchParams({ _once: "A".repeat(22) }));
    await expectRefused(res);
    const refused = (await eventsOf("assignment.press_refused")).filter((e) => e.entityId === asg(unitA(), "summary"));
    expect(refused).toHaveLength(1);
    expect((await eventsOf("assignment.received")).filter((e) => e.entityId === asg(unitA(), "summary"))).toHaveLength(0);
  });

  it("shows a returned submission's reason and asks again after a moved deadline", async () => {
    const coordinator = (await ctx.db.query.members.findFirst({ where: eq(members.id, seed.coordinatorId) }))!;
    const returned = await reviewSubmission(ctx.deps, { assignmentId: asg(unitA(), "self-inspection"), actor: coordinator, decision: "return", reason: "缺少盖章页", platform: "web" });
    expect(returned.status).toBe("done");
    const moved = await moveDeadline(ctx.deps, { deliverableId: seed.deliverableIds[1]!, dueAt: Date.parse("2026-12-15T15:59:59.999Z"), reason: "统计口径调整", actor: coordinator });
    expect(moved.status).toBe("done");
    const page = await (await ctx.app.request(await unitLink(contactA(), unitA()))).text();
    const first = taskHtml(page, asg(unitA(), "self-inspection"));
    expect(first).toContain("已退回，请重新提交");
    expect(first).toContain("退回原因：缺少盖章页");
    expect(first).toContain("/submit?");
    const second = taskHtml(page, asg(unitA(), "statistics"));
    expect(second).toContain("2026-12-15 23:59");
    expect(second).toContain("截止时间已调整，请重新确认收到。");
    expect(second).toContain("/receive?");
    expect(page).toContain('data-action="deliverable.moved"');
  });
});

describe("the board", () => {
  it("refuses anyone but a coordinator with a valid link for this campaign", async () => {
    const good = await boardLink(seed.coordinatorId);
    for (const path of [
      `/campaigns/${seed.campaignId}/board`,
      await boardLink(seed.inspectorId),
      await boardLink(contactA()),
      good.replace(seed.campaignId, other.campaignId),
      await boardLink(seed.coordinatorId, "cmp_missing"),
      `${good.replace("/board?", "/board.csv?")}`.replace(seed.campaignId, other.campaignId),
    ])
      await expectRefused(await ctx.app.request(path));
    const now = ctx.deps.now();
    ctx.setNow(new Date(now.getTime() + 25 * 3_600_000));
    await expectRefused(await ctx.app.request(good));
    ctx.setNow(now);
  });

  it("shows counts first, the matrix, and the coordinator opens the unit's document (logged)", async () => {
    // Unit A resubmits after the return, with a PDF only.
    const link = await unitLink(contactA(), unitA());
    const id = asg(unitA(), "self-inspection");
    const form = formOf(await (await ctx.app.request(link)).text(), id, "submit");
    const pdf = await pdfFile("Second attempt");
    const f = new FormData();
    f.set("_once", form.once);
    f.append("files", new File([pdf as Uint8Array<ArrayBuffer>], "自查报告-盖章.pdf"));
    expect((await post(form.action, f)).status).toBe(303);

    const res = await ctx.app.request(await boardLink(seed.coordinatorId));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(html.indexOf('data-testid="counts"')).toBeLessThan(html.indexOf('data-testid="matrix"'));
    const counts = /<tr data-deliverable="self-inspection">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    const count = (k: string) => Number(new RegExp(`data-count="${k}">(\\d+)<`).exec(counts)![1]);
    expect([count("units"), count("submitted"), count("late"), count("open")]).toEqual([4, 1, 3, 3]);
    const row = /<tr data-unit="t-inst-00000">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect(row).toContain(`data-cell="${id}" data-status="submitted"`);
    // Only the latest submission's document is linked.
    const links = [...row.matchAll(/<a href="([^"]+)" data-file="([^"]+)"/g)];
    expect(links).toHaveLength(1);
    const download = await ctx.app.request(unescape(links[0]![1]!));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
    const viewed = (await eventsOf("submission_file.viewed")).filter((e) => e.actorId === seed.coordinatorId);
    expect(viewed).toHaveLength(1);
    expect(JSON.parse(viewed[0]!.data!)).toMatchObject({ fileId: links[0]![2], via: "board", unitId: unitA() });
    // The same file through another campaign's board link is refused, and not logged.
    const otherBoard = await boardLink(seed.coordinatorId, other.campaignId);
    await expectRefused(await ctx.app.request(`/campaigns/${other.campaignId}/board/files/${links[0]![2]}?${otherBoard.split("?")[1]}`));
    expect((await eventsOf("submission_file.viewed")).filter((e) => e.actorId === seed.coordinatorId)).toHaveLength(1);
  });

  it("filters by phase, region and status, and says which filter is wrong", async () => {
    const base = await boardLink(seed.coordinatorId);
    const get = async (q: string) => {
      const res = await ctx.app.request(`${base}&${q}`);
      return { status: res.status, html: await res.text() };
    };
    const unitsIn = (html: string) => [...html.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1]);
    const columns = (html: string) => [...html.matchAll(/<tr data-deliverable="([^"]+)"/g)].map((m) => m[1]);
    const late = await get("status=late");
    expect(unitsIn(late.html)).toEqual(seed.unitIds.slice(1));
    const region = await get("region=510106");
    expect(unitsIn(region.html)).toEqual([seed.unitIds[0], seed.unitIds[2]]);
    const city = await get("region=510700");
    expect(unitsIn(city.html)).toEqual([seed.unitIds[1], seed.unitIds[3]]);
    const phase = await get("phase=summary");
    expect(columns(phase.html)).toEqual(["statistics", "summary"]);
    const received = await get("status=acknowledged&region=510106");
    expect(unitsIn(received.html)).toEqual([]);
    expect(received.html).toContain('data-testid="no-units"');
    for (const [q, field] of [["status=bogus", "status"], ["phase=nope", "phase"], ["region=51", "region"], ["page=0", "page"]] as const) {
      const bad = await get(q);
      expect(bad.status, q).toBe(400);
      expect(bad.html).toContain(`data-field-error="${field}"`);
    }
    // Labels are tied to the filter inputs.
    for (const id of ["phase", "region", "status"]) expect(late.html).toContain(`<label for="${id}">`);
  });

  it("exports the rows as CSV: UTF-8 with a BOM, one row per unit and deliverable, with the filters", async () => {
    const base = await boardLink(seed.coordinatorId);
    const res = await ctx.app.request(base.replace("/board?", "/board.csv?"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.subarray(3)).trimEnd().split("\r\n");
    expect(lines[0]).toBe("campaign,unit_id,unit,kind,region_code,deliverable,period,phase,due_at,status,received_at,submitted_at,reviewed_at,files");
    expect(lines).toHaveLength(1 + 4 * 3);
    const a = lines.find((l) => l.includes(`,${unitA()},`) && l.includes("Self-inspection report"))!.split(",");
    expect(a[9]).toBe("Submitted");
    expect(a[8]).toBe("2026-11-20 23:59");
    // Three documents in all (two in the returned attempt, one in the new one).
    expect(a[13]).toBe("3");
    const filtered = await ctx.app.request(base.replace("/board?", "/board.csv?") + "&status=late&phase=self");
    const rows = (await filtered.text()).trimEnd().split("\r\n");
    expect(rows).toHaveLength(1 + 3);
    expect(rows.slice(1).every((l) => l.includes(",Late,"))).toBe(true);
  });
});

describe("the board's units without an enrolled contact", () => {
  it("flags each unit whose contacts have no chat account (or that has no contact), and not one with an enrolled contact", async () => {
    await ctx.db.update(members).set({ telegramUserId: "700000001" }).where(eq(members.id, contactA()));
    // Unit B loses its only contact.
    await ctx.db.update(members).set({ active: false }).where(eq(members.id, seed.contacts.get(unitB())!));
    try {
      const html = await (await ctx.app.request(await boardLink(seed.coordinatorId))).text();
      const flagged = [...html.matchAll(/data-unenrolled="([^"]+)">([^<]*)</g)].map((m) => [m[1], m[2]!.trim()]);
      expect(flagged.map((f) => f[0]).sort()).toEqual(seed.unitIds.filter((u) => u !== unitA()).sort());
      // The coordinator reads English: the flag says which case it is.
      expect(flagged.find((f) => f[0] === unitB())![1]).toBe("no contact");
      expect(flagged.find((f) => f[0] === seed.unitIds[2])![1]).toBe("contact not enrolled yet");
      expect(html).toContain('data-testid="unenrolled-note"');
    } finally {
      await ctx.db.update(members).set({ telegramUserId: null }).where(eq(members.id, contactA()));
      await ctx.db.update(members).set({ active: true }).where(eq(members.id, seed.contacts.get(unitB())!));
    }
  });
});

describe("board and unit page in the other language", () => {
  it("follows the member's locale unless the page is asked for in the other one", async () => {
    const link = await unitLink(contactA(), unitA());
    const en = await (await ctx.app.request(`${link}&lang=en`)).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain("Deadline (Beijing time)");
    // The language switch keeps the token.
    const sw = unescape(/href="([^"]+)" hreflang="zh-CN"/.exec(en)![1]!);
    expect(sw).toContain("t=");
    expect((await ctx.app.request(sw)).status).toBe(200);
    const zhBoard = await (await ctx.app.request(`${await boardLink(seed.coordinatorId)}&lang=zh-CN`)).text();
    expect(zhBoard).toContain("按任务统计");
    const still = await ctx.db.select().from(events).where(and(eq(events.action, "assignment.received"), eq(events.entityId, asg(unitA(), "summary"))));
    expect(still).toHaveLength(0);
  });
});

describe("nothing a visitor sends makes the campaign pages fail", () => {
  it("answers bad ids, tokens, filters and bodies with 4xx, never 5xx", async () => {
    const { default: fc } = await import("fast-check");
    const unitToken = (await unitLink(contactA(), unitA())).split("?t=")[1]!;
    const boardToken = (await boardLink(seed.coordinatorId)).split("?t=")[1]!;
    const nasty = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("%00", "..%2F..", "__proto__", "constructor", "%F0%9F", "a".repeat(600), "'; drop table units;--"));
    const seg = nasty.map((s) => encodeURIComponent(s) || "x");
    await fc.assert(
      fc.asyncProperty(seg, seg, nasty, nasty, fc.boolean(), async (id, fileId, value, body, goodToken) => {
        const ut = goodToken ? unitToken : encodeURIComponent(value);
        const bt = goodToken ? boardToken : encodeURIComponent(value);
        const q = encodeURIComponent(value);
        const responses = await Promise.all([
          ctx.app.request(`/units/${id}?t=${ut}`),
          ctx.app.request(`/units/${unitA()}/files/${fileId}?t=${ut}`),
          ctx.app.request(`/campaigns/${seed.campaignId}/board?t=${bt}&phase=${q}&region=${q}&status=${q}&page=${q}`),
          ctx.app.request(`/campaigns/${id}/board.csv?t=${bt}&status=${q}`),
          ctx.app.request(`/campaigns/${seed.campaignId}/board/files/${fileId}?t=${bt}`),
          ctx.app.request(`/units/${unitA()}/assignments/${id}/receive?t=${ut}`, { method: "POST", body: new URLSearchParams({ _once: body }) }),
          ctx.app.request(`/units/${unitA()}/assignments/${id}/submit?t=${ut}`, { method: "POST", body, headers: { "content-type": "multipart/form-data; boundary=x" } }),
        ]);
        for (const r of responses) expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
    // None of it acknowledged or submitted anything.
    expect((await eventsOf("assignment.received")).filter((e) => e.entityId !== asg(unitA(), "statistics"))).toHaveLength(0);
  });
});
