// The case page on a need-to-know basis: an inspector sees scrubbed text, neutral file labels and
// metadata-stripped files; only a coordinator, with a logged reason, gets the identity, the original
// names and the original bytes.
import { and, eq } from "drizzle-orm";
import jpeg from "jpeg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, members, reportAttachments } from "../../src/db/schema";
import { caseLinkToken } from "../../src/services/chat-actions";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { importChaoyangConsoleOrg } from "../support/console-org";

let ctx: TestContext;
const enc = new TextEncoder();

const IDENTITY = { name: "赵小红", phone: "13912345678", idNumber: "11010519491231002X", email: "zhao.xh@example.cn" };
const FILE_NAME = "赵小红-工资条-幸福小区3栋.jpg";

/** A real JPEG with an EXIF APP1 segment naming the artist and a GPS marker. */
function photoWithExif(): { bytes: Uint8Array; width: number; height: number } {
  const width = 20;
  const height = 10;
  const data = Buffer.alloc(width * height * 4, 128);
  const plain = jpeg.encode({ data, width, height }, 80).data;
  const artist = "Zhao Xiaohong\0";
  const tiff = Buffer.concat([
    Buffer.from("MM\0\x2a\0\0\0\x08", "latin1"),
    Buffer.from([0, 1, 0x01, 0x3b, 0, 2, 0, 0, 0, artist.length, 0, 0, 0, 26, 0, 0, 0, 0]),
    Buffer.from(`${artist}GPSLatitude 39.9`, "latin1"),
  ]);
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
  return { bytes: Uint8Array.from(Buffer.concat([plain.subarray(0, 2), app1, plain.subarray(2)])), width, height };
}

const HEIC = Uint8Array.from(Buffer.concat([Buffer.from("\0\0\0\x18ftypheic\0\0\0\0mif1heic", "latin1"), Buffer.from("Zhao Xiaohong GPS", "latin1")]));

let leadId: string;
let reportId: string;
let receipt: string;
const token = async (memberName: string) => {
  const member = (await ctx.db.select().from(members)).find((m) => m.displayName === memberName)!;
  return `t=${encodeURIComponent(await caseLinkToken(ctx.deps, leadId, member.id, ctx.deps.now().getTime() + 600_000))}`;
};

beforeAll(async () => {
  ctx = await createTestContext();
  await importChaoyangConsoleOrg(ctx.deps);
  const photo = photoWithExif();
  const form = new FormData();
  form.append(
    "report",
    JSON.stringify(
      validReport({
        anonymous: false,
        reporter: IDENTITY,
        // The tipster names and reaches themself the way people type: full-width digits, spaces, dots.
        description: "我是赵 小红，电话１３９１２３４５６７８，也可打139.1234.5678，身份证110105 19491231 002X，邮箱 zhao.xh@example.cn。医院挂床住院，金额约12,000元。",
      }),
    ),
  );
  form.append("evidence", new File([photo.bytes as Uint8Array<ArrayBuffer>], FILE_NAME, { type: "image/jpeg" }));
  form.append("evidence", new File([HEIC], "赵小红-iPhone.heic", { type: "image/heic" }));
  const res = await ctx.app.request("/api/v1/reports", { method: "POST", body: form });
  expect(res.status).toBe(201);
  ({ reportId, receipt } = (await res.json()) as { reportId: string; receipt: string });
  leadId = (await ctx.db.select().from(leads))[0]!.id;
  const reply = await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body: "补充：可联系 +86 139-1234-5678 或 赵　小　红 本人" }));
  expect(reply.status).toBe(201);
});
afterAll(() => ctx.close());

describe("case page for an inspector", () => {
  it("shows scrubbed text and neutral labels, never the identity or the file names", async () => {
    const res = await ctx.app.request(`/cases/${leadId}?${await token("王检查")}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const secret of ["赵", "小红", "１３９", "139", "1234", "5678", "110105 19491231", "002X", "zhao.xh", "工资条", "幸福小区", "iPhone", ".jpg", ".heic"])
      expect(html, secret).not.toContain(secret);
    expect(html).toContain("医院挂床住院，金额约12,000元");
    expect(html).toContain("证据 1（JPEG，");
    expect(html).toContain("证据 2（HEIC，");
    expect(html).toContain("[已隐去]");
  });

  it("serves the JPEG without its EXIF, still the same picture", async () => {
    const html = await (await ctx.app.request(`/cases/${leadId}?${await token("王检查")}`)).text();
    const href = /href="(\/cases\/[^"]+\/attachments\/[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, "&");
    const file = await ctx.app.request(href);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).not.toContain("赵");
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.includes(Buffer.from("Zhao Xiaohong"))).toBe(false);
    expect(bytes.includes(Buffer.from("Exif\0\0", "latin1"))).toBe(false);
    const decoded = jpeg.decode(bytes);
    expect([decoded.width, decoded.height]).toEqual([20, 10]);
    const logged = await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.attachment_downloaded")));
    expect(logged.at(-1)!.data).toContain('"variant":"stripped"');
  });

  it("refuses a file whose metadata could not be removed, and refuses originals", async () => {
    const heic = (await ctx.db.select().from(reportAttachments)).find((a) => a.mediaType === "image/heic")!;
    expect(heic.strippedChunkCount).toBeNull();
    const q = await token("王检查");
    const refused = await ctx.app.request(`/cases/${leadId}/attachments/${heic.id}?${q}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("元数据无法去除");
    const before = (await ctx.db.select().from(events)).length;
    const original = await ctx.app.request(`/cases/${leadId}/attachments/${heic.id}/original?${q}`, { method: "POST", body: new URLSearchParams({ reason: "想看原图片" }) });
    expect(original.status).toBe(403);
    expect((await ctx.db.select().from(events)).length).toBe(before);
  });
});

describe("case page for a coordinator", () => {
  it("releases an original byte for byte only with a reason, and logs it", async () => {
    const q = await token("陈协调");
    const photo = (await ctx.db.select().from(reportAttachments)).find((a) => a.mediaType === "image/jpeg")!;
    const noReason = await ctx.app.request(`/cases/${leadId}/attachments/${photo.id}/original?${q}`, { method: "POST", body: new URLSearchParams({ reason: " " }) });
    expect(noReason.status).toBe(400);
    const released = await ctx.app.request(`/cases/${leadId}/attachments/${photo.id}/original?${q}`, { method: "POST", body: new URLSearchParams({ reason: "移交公安需原始文件" }) });
    expect(released.status).toBe(200);
    const bytes = Buffer.from(await released.arrayBuffer());
    expect(bytes.includes(Buffer.from("Zhao Xiaohong"))).toBe(true);
    const logged = await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.attachment_original_released")));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!.data!)).toMatchObject({ attachmentId: photo.id, reason: "移交公安需原始文件" });
  });

  it("shows the identity and the original file names after a logged reveal", async () => {
    const q = await token("陈协调");
    const page = await ctx.app.request(`/cases/${leadId}/identity/${reportId}?${q}`, { method: "POST", body: new URLSearchParams({ reason: "发放奖励核实身份" }) });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(IDENTITY.idNumber);
    expect(html).toContain(FILE_NAME);
    expect(html).toContain('value="发放奖励核实身份"');
  });
});

describe("attachments stored before stripping existed", () => {
  it("get their stripped copy from the backfill, and inspectors can then download it", async () => {
    const { backfillStrippedCopies } = await import("../../src/services/intake/evidence");
    const { attachmentStrippedChunks } = await import("../../src/db/schema");
    const photo = (await ctx.db.select().from(reportAttachments)).find((a) => a.mediaType === "image/jpeg")!;
    // As a row from before migration 0005 looks: no stripped copy.
    await ctx.db.delete(attachmentStrippedChunks).where(eq(attachmentStrippedChunks.attachmentId, photo.id));
    await ctx.db.update(reportAttachments).set({ strippedChunkCount: null, strippedSizeBytes: null }).where(eq(reportAttachments.id, photo.id));
    const q = await token("王检查");
    expect((await ctx.app.request(`/cases/${leadId}/attachments/${photo.id}?${q}`)).status).toBe(403);

    expect(await backfillStrippedCopies(ctx.deps)).toEqual({ examined: 2, stripped: 1 }); // the HEIC stays without
    expect(await backfillStrippedCopies(ctx.deps)).toEqual({ examined: 1, stripped: 0 });
    const file = await ctx.app.request(`/cases/${leadId}/attachments/${photo.id}?${q}`);
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.includes(Buffer.from("Zhao Xiaohong"))).toBe(false);
    expect(jpeg.decode(bytes).width).toBe(20);
  });
});
