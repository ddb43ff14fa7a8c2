// Submission documents: the type comes from the content, every file is checked before anything is
// written, content and name are encrypted bound to the file, and reading back is for the unit's
// contacts and coordinators only, each view on record.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asBatch } from "../../../src/db/client";
import { events, members, submissionFileChunks, submissionFiles, submissions } from "../../../src/db/schema";
import { sniffSubmissionType, DOCX_TYPE, XLSX_TYPE } from "../../../src/services/campaigns/document-type";
import { openSubmissionFile, prepareSubmissionFiles, submissionFileInserts } from "../../../src/services/campaigns/submission-files";
import { AppError } from "../../../src/services/errors";
import { createTestContext, type TestContext } from "../../support/context";
import { seedCampaign, type SeededCampaign } from "../../support/campaign-seed";
import { docxFile, pdfFile, plainZip, xlsmFile, xlsxFile } from "../../support/office-files";

let ctx: TestContext;
let seed: SeededCampaign;
beforeAll(async () => {
  ctx = await createTestContext({ MAX_SUBMISSION_FILE_BYTES: "65536", MAX_SUBMISSION_FILES: "3" });
  seed = await seedCampaign(ctx, { units: 2 });
});
afterAll(() => ctx.close());

const member = async (id: string) => (await ctx.db.query.members.findFirst({ where: eq(members.id, id) }))!;
const PNG = Uint8Array.from(Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe("submission document types", () => {
  it("tells XLSX from DOCX by the content types and refuses macro workbooks and other zips", async () => {
    expect(await sniffSubmissionType(xlsxFile())).toBe(XLSX_TYPE);
    expect(await sniffSubmissionType(docxFile())).toBe(DOCX_TYPE);
    expect(await sniffSubmissionType(await pdfFile())).toBe("application/pdf");
    expect(await sniffSubmissionType(PNG)).toBe("image/png");
    expect(await sniffSubmissionType(JPEG)).toBe("image/jpeg");
    expect(await sniffSubmissionType(xlsmFile())).toBeNull();
    expect(await sniffSubmissionType(plainZip())).toBeNull();
    expect(await sniffSubmissionType(new TextEncoder().encode("MZ\x90\0 not a document"))).toBeNull();
    // A truncated package (the directory cut off) is not read past its end.
    const xlsx = xlsxFile();
    expect(await sniffSubmissionType(xlsx.subarray(0, xlsx.length - 30))).toBeNull();
    expect(await sniffSubmissionType(Uint8Array.from([0x50, 0x4b, 0x03, 0x04]))).toBeNull();
  });
});

describe("storing and reading submission documents", () => {
  const unit = () => seed.unitIds[0]!;
  const assignmentId = () => seed.assignmentIds.get(`${unit()}|self-inspection`)!;

  it("refuses the whole upload when one file is bad, before anything is written", async () => {
    const good = { name: "报告.pdf", bytes: await pdfFile() };
    const cases: [{ name: string; bytes: Uint8Array }[], RegExp][] = [
      [[good, { name: "宏.xlsm", bytes: xlsmFile() }], /宏\.xlsm/],
      [[good, { name: "empty.pdf", bytes: new Uint8Array() }], /empty\.pdf/],
      [[good, { name: "big.pdf", bytes: new Uint8Array(65537).fill(0x25) }], /big\.pdf.*64 KB/],
      [[good, good, good, good], /3/],
    ];
    for (const [files, message] of cases) {
      const err = await rejection(prepareSubmissionFiles(ctx.deps, files, "en"));
      expect(err.code).toBe("validation_failed");
      expect(err.options.fields?.files).toMatch(message);
    }
    expect(await ctx.db.select().from(submissionFiles)).toHaveLength(0);
  });

  it("stores content and name encrypted, bound to the file, and serves them to a contact and a coordinator with a logged view", async () => {
    const xlsx = xlsxFile();
    const big = new Uint8Array(60_000);
    big.set(await pdfFile());
    const refs = await prepareSubmissionFiles(ctx.deps, [{ name: "C:\\fakepath\\统计表.xlsx", bytes: xlsx }, { name: "报告.pdf", bytes: big }], "zh-CN", { maxCount: 3, maxBytes: 65536 });
    expect(refs.map((r) => [r.name, r.mediaType])).toEqual([["统计表.xlsx", XLSX_TYPE], ["报告.pdf", "application/pdf"]]);
    const now = ctx.deps.now().getTime();
    await ctx.db.batch(
      asBatch([
        ctx.db.insert(submissions).values({ id: "sub_t1", assignmentId: assignmentId(), attempt: 1, submittedBy: seed.contacts.get(unit())!, platform: "web", submittedAt: now }),
        ...submissionFileInserts(ctx.deps, refs, { submissionId: "sub_t1", assignmentId: assignmentId(), uploadedBy: seed.contacts.get(unit())!, createdAt: now }),
      ]),
    );
    const [row] = await ctx.db.select().from(submissionFiles).where(eq(submissionFiles.id, refs[0]!.id));
    expect(row!.fileNameEnc).not.toContain("统计表");
    const chunks = await ctx.db.select().from(submissionFileChunks).where(eq(submissionFileChunks.fileId, refs[0]!.id));
    expect(Buffer.from(chunks[0]!.data).includes(Buffer.from("[Content_Types]"))).toBe(false);

    const asContact = await openSubmissionFile(ctx.deps, { fileId: refs[0]!.id, reader: { member: await member(seed.contacts.get(unit())!), platform: "web" }, via: "unit_page" });
    expect(Buffer.from(asContact.bytes).equals(Buffer.from(xlsx))).toBe(true);
    expect(asContact.file.name).toBe("统计表.xlsx");
    const asCoordinator = await openSubmissionFile(ctx.deps, { fileId: refs[1]!.id, reader: { member: await member(seed.coordinatorId), platform: "web" }, via: "board" });
    expect(Buffer.from(asCoordinator.bytes).equals(Buffer.from(big))).toBe(true);
    const views = await ctx.db.select().from(events).where(eq(events.action, "submission_file.viewed"));
    expect(views.map((v) => [v.actorId, v.entityId, JSON.parse(v.data!).fileId])).toEqual([
      [seed.contacts.get(unit()), "sub_t1", refs[0]!.id],
      [seed.coordinatorId, "sub_t1", refs[1]!.id],
    ]);

    // An inspector and a contact of another unit are refused, and nothing is logged as viewed for them.
    for (const other of [seed.inspectorId, seed.contacts.get(seed.unitIds[1]!)!]) {
      const err = await rejection(openSubmissionFile(ctx.deps, { fileId: refs[0]!.id, reader: { member: await member(other), platform: "web" }, via: "board" }));
      expect(err.code).toBe("forbidden");
    }
    expect(await ctx.db.select().from(events).where(eq(events.action, "submission_file.viewed"))).toHaveLength(2);
    expect((await rejection(openSubmissionFile(ctx.deps, { fileId: "sfl_nope", reader: { member: await member(seed.coordinatorId), platform: "web" }, via: "board" }))).code).toBe("not_found");
  });
});
