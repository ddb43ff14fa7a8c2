// Every validation rule of the report schema answers with its own message in zh-CN and en, and a
// rejected request leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { attachmentChunks, events, reportAttachments, reportMessages, reports, reportTimeline } from "../../src/db/schema";
import { t } from "../../src/i18n";
import { createTestContext, type TestContext } from "../support/context";
import { PDF_BYTES, PNG_BYTES, REAL_NAME, jsonPost, multipart, validReport } from "../support/fixtures";
import { formToken } from "../support/page-client";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ MAX_ATTACHMENTS: "2", MAX_ATTACHMENT_BYTES: "2048" });
});
afterAll(() => ctx.close());

type Case = [name: string, input: Record<string, unknown>, field: string, key: string, params?: Record<string, string | number>];

const longText = (n: number) => "字".repeat(n);
const { region: _region, ...withoutRegion } = validReport();

const CASES: Case[] = [
  ["subject missing", { ...validReport(), subject: undefined }, "subject", "validation.invalid_choice"],
  ["subject unknown", validReport({ subject: "hospital" }), "subject", "validation.invalid_choice"],
  ["type unknown", validReport({ violationType: "parking" }), "violationType", "validation.invalid_choice"],
  ["type of another subject", validReport({ subject: "pharmacy" }), "violationType", "validation.type_not_in_subject"],
  ["region missing", { ...withoutRegion, region: {} }, "region.provinceCode", "validation.required"],
  ["region code malformed", validReport({ region: { provinceCode: "11" } }), "region.provinceCode", "validation.region_unknown"],
  ["province unknown", validReport({ region: { provinceCode: "990000" } }), "region.provinceCode", "validation.region_province_unknown"],
  ["city unknown", validReport({ region: { cityCode: "119900" } }), "region.cityCode", "validation.region_city_unknown"],
  ["district unknown", validReport({ region: { districtCode: "110199" } }), "region.districtCode", "validation.region_district_unknown"],
  ["city not in province", validReport({ region: { provinceCode: "110000", cityCode: "510100" } }), "region.cityCode", "validation.region_city_mismatch"],
  ["district not in city", validReport({ region: { cityCode: "110100", districtCode: "510104" } }), "region.districtCode", "validation.region_district_mismatch"],
  ["target missing", validReport({ targetName: "  " }), "targetName", "validation.required"],
  ["target too long", validReport({ targetName: longText(201) }), "targetName", "validation.too_long", { max: 200 }],
  ["address too long", validReport({ targetAddress: longText(301) }), "targetAddress", "validation.too_long", { max: 300 }],
  ["date missing", validReport({ occurredFrom: undefined }), "occurredFrom", "validation.required"],
  ["date in another format", validReport({ occurredFrom: "2026/03/01" }), "occurredFrom", "validation.date_format"],
  ["date that does not exist", validReport({ occurredFrom: "2026-02-30" }), "occurredFrom", "validation.date_format"],
  ["date in the future", validReport({ occurredFrom: "2026-11-25", occurredTo: undefined }), "occurredFrom", "validation.date_in_future"],
  ["end before start", validReport({ occurredTo: "2026-02-01" }), "occurredTo", "validation.date_before_start"],
  ["end in the future", validReport({ occurredTo: "2027-01-01" }), "occurredTo", "validation.date_in_future"],
  ["amount negative", validReport({ amountEstimate: -1 }), "amountEstimate", "validation.amount_invalid"],
  ["amount not a number", validReport({ amountEstimate: "lots" }), "amountEstimate", "validation.amount_invalid"],
  ["amount with fractions of a fen", validReport({ amountEstimate: 1.234 }), "amountEstimate", "validation.amount_invalid"],
  ["amount too large", validReport({ amountEstimate: 100_000_001 }), "amountEstimate", "validation.amount_too_large", { max: 100_000_000 }],
  ["description missing", validReport({ description: "" }), "description", "validation.required"],
  ["description too short", validReport({ description: "太短了" }), "description", "validation.too_short", { min: 10 }],
  ["description too long", validReport({ description: longText(5001) }), "description", "validation.too_long", { max: 5000 }],
  ["identity choice missing", validReport({ anonymous: undefined }), "anonymous", "validation.required"],
  ["identity choice not a boolean", validReport({ anonymous: "yes" }), "anonymous", "validation.invalid"],
  ["real name without identity", validReport({ anonymous: false }), "reporter.idNumber", "validation.required"],
  ["real name without name", validReport({ anonymous: false, reporter: { ...REAL_NAME, name: "" } }), "reporter.name", "validation.required"],
  ["name with digits", validReport({ anonymous: false, reporter: { ...REAL_NAME, name: "张三123" } }), "reporter.name", "validation.name_invalid"],
  ["name too long", validReport({ anonymous: false, reporter: { ...REAL_NAME, name: longText(51) } }), "reporter.name", "validation.too_long", { max: 50 }],
  ["phone invalid", validReport({ anonymous: false, reporter: { ...REAL_NAME, phone: "12345" } }), "reporter.phone", "validation.phone_invalid"],
  ["ID number format", validReport({ anonymous: false, reporter: { ...REAL_NAME, idNumber: "12345" } }), "reporter.idNumber", "validation.id_number_format"],
  ["ID number birth date", validReport({ anonymous: false, reporter: { ...REAL_NAME, idNumber: "110105194902301234" } }), "reporter.idNumber", "validation.id_number_birth_date"],
  ["ID number check digit", validReport({ anonymous: false, reporter: { ...REAL_NAME, idNumber: "110105194912310021" } }), "reporter.idNumber", "validation.id_number_checksum"],
  ["email invalid", validReport({ anonymous: false, reporter: { ...REAL_NAME, email: "not-an-email" } }), "reporter.email", "validation.email_invalid"],
  ["identity with an anonymous report", validReport({ anonymous: true, reporter: REAL_NAME }), "reporter", "validation.reporter_with_anonymous"],
  ["insider not a boolean", validReport({ insider: "maybe" }), "insider", "validation.invalid"],
  ["reward flag not a boolean", validReport({ wantsReward: 1 }), "wantsReward", "validation.invalid"],
  ["unknown locale", validReport({ locale: "fr" }), "locale", "validation.invalid_choice"],
];

async function rowCounts() {
  const tables = { reports, reportAttachments, attachmentChunks, reportMessages, reportTimeline, events };
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables)) out[name] = (await ctx.db.select({ n: count() }).from(table))[0]!.n;
  return out;
}

describe.each(["zh-CN", "en"] as const)("validation messages in %s", (locale) => {
  it.each(CASES)("%s", async (_name, input, field, key, params) => {
    const before = await rowCounts();
    const res = await ctx.app.request(`/api/v1/reports?lang=${locale}`, jsonPost(input));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.message).toBe(t(locale, "errors.validation_failed"));
    expect(body.error.fields[field]).toBe(t(locale, key, params));
    expect(await rowCounts()).toEqual(before);
  });

  const file = (name: string, bytes: Uint8Array, type = "image/png") => ({ name, bytes, type });
  it.each([
    ["too many files", [file("a.png", PNG_BYTES), file("b.png", PNG_BYTES), file("c.pdf", PDF_BYTES)], "validation.evidence_too_many", { max: 2 }],
    ["a file over the size limit", [file("big.png", new Uint8Array(4096).fill(0x89))], "validation.evidence_too_large", { file: "big.png", max: "2 KB" }],
    ["a program renamed to .png", [file("photo.png", new TextEncoder().encode("MZ\x90\x00 this is not an image"))], "validation.evidence_type", { file: "photo.png" }],
    ["an HTML page sent as PDF", [file("scan.pdf", new TextEncoder().encode("<html><script>alert(1)</script>"), "application/pdf")], "validation.evidence_type", { file: "scan.pdf" }],
    ["an empty file", [file("empty.jpg", new Uint8Array())], "validation.evidence_empty", { file: "empty.jpg" }],
  ] as const)("evidence: %s", async (_name, files, key, params) => {
    const before = await rowCounts();
    const res = await ctx.app.request(`/api/v1/reports?lang=${locale}`, { method: "POST", body: multipart({ report: JSON.stringify(validReport()) }, [...files]) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: Record<string, string> } };
    expect(body.error.fields.evidence).toBe(t(locale, key, params));
    expect(await rowCounts()).toEqual(before);
  });

  it("reports every problem at once, fields and files together", async () => {
    const res = await ctx.app.request(`/api/v1/reports?lang=${locale}`, {
      method: "POST",
      body: multipart({ report: JSON.stringify(validReport({ description: "", anonymous: false, reporter: { ...REAL_NAME, idNumber: "110105194912310021" } })) }, [
        file("x.png", new TextEncoder().encode("not a png")),
      ]),
    });
    const body = (await res.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields).sort()).toEqual(["description", "evidence", "reporter.idNumber"]);
  });
});

describe("the web form", () => {
  it.each(["zh-CN", "en"] as const)("shows each error next to its field in %s and keeps what was typed", async (locale) => {
    const token = formToken(await (await ctx.app.request(`/report?lang=${locale}`)).text());
    const form = multipart({
      _once: token,
      subject: "medical_institution",
      violationType: "medical_institution:ghost_admission",
      "region.districtCode": "110105",
      targetName: "某某医院<script>",
      occurredFrom: "2026-03-01",
      description: "短",
      anonymous: "false",
      "reporter.name": "王五",
      "reporter.phone": "13800138000",
      "reporter.idNumber": "110105194912310021",
    });
    const before = await rowCounts();
    const res = await ctx.app.request(`/report?lang=${locale}`, { method: "POST", body: form });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(`lang="${locale}"`);
    expect(html).toContain(`data-field-error="description">${t(locale, "validation.too_short", { min: 10 })}`);
    expect(html).toContain(`data-field-error="reporterIdNumber">${t(locale, "validation.id_number_checksum")}`);
    expect(html).toContain('value="某某医院&lt;script&gt;"');
    expect(html).toContain('value="13800138000"');
    expect(html).not.toContain("<script>alert");
    // Nothing was stored, so the corrected form may be sent with the same one-time token.
    expect(formToken(html)).toBe(token);
    expect(await rowCounts()).toEqual(before);
  });

  it("never keeps identity typed before switching to anonymous", async () => {
    const token = formToken(await (await ctx.app.request("/report?lang=en")).text());
    const res = await ctx.app.request("/report?lang=en", {
      method: "POST",
      body: multipart({
        _once: token,
        violationType: "pharmacy:drugs_for_daily_goods",
        "region.provinceCode": "510000",
        targetName: "某某大药房",
        occurredFrom: "2026-05-01",
        description: "用医保卡购买洗发水和食用油，收据上写的是药品。",
        anonymous: "true",
        "reporter.name": "王五",
        "reporter.idNumber": "110105194912310021",
      }),
    });
    expect(res.status).toBe(303);
    const row = (await ctx.db.select().from(reports)).find((r) => r.targetName === "某某大药房")!;
    expect(row.isAnonymous).toBe(true);
    expect(row.reporterEnc).toBeNull();
    expect(row.subject).toBe("pharmacy");
  });
});
