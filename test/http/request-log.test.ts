// One `info` log line per request: a submitted tip's outcome (report, lead) rides on the request's
// line instead of a second one, and that line carries ids and counts only — nothing the tipster wrote.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context";
import { REAL_NAME, jsonPost, validReport } from "../support/fixtures";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const infoLines = () => ctx.logs.filter((l) => l.level === "info");

describe("request log", () => {
  it("a tip over the API writes one info line, with the report and lead ids on it", async () => {
    const before = infoLines().length;
    const description = "住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目。LOG-MARKER-51c2";
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ anonymous: false, reporter: REAL_NAME, description })));
    expect(res.status).toBe(201);
    const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
    const lines = infoLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe("request");
    expect(lines[0]!.fields).toMatchObject({ method: "POST", path: "/api/v1/reports", status: 201, event: "report submitted", reportId, channel: "api", newLead: true, attachments: 0 });
    expect(lines[0]!.fields!.leadId).toEqual(expect.any(String));
    const all = JSON.stringify(ctx.logs);
    for (const secret of ["LOG-MARKER-51c2", receipt, REAL_NAME.name, REAL_NAME.phone, REAL_NAME.idNumber, REAL_NAME.email]) expect(all).not.toContain(secret);
  });

  it("other requests write their one line as before, without a tip's fields", async () => {
    const before = infoLines().length;
    expect((await ctx.app.request("/healthz")).status).toBe(200);
    const lines = infoLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.fields).toMatchObject({ method: "GET", path: "/healthz", status: 200 });
    expect(lines[0]!.fields).not.toHaveProperty("reportId");
  });

  it("a tip through the web form writes one info line as well", async () => {
    const form = await ctx.app.request("/report");
    const token = /name="_once" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(token).toBeTruthy();
    const body = new URLSearchParams({
      _once: token!,
      subject: "medical_institution",
      violationType: "medical_institution:split_hospitalisation",
      "region.districtCode": "510104",
      targetName: "锦江某某医院",
      occurredFrom: "2026-06-01",
      description: "病人住院满十五天就办出院，第二天再办入院。",
      anonymous: "true",
    });
    const before = infoLines().length;
    const res = await ctx.app.request("/report", { method: "POST", body });
    expect(res.status).toBe(303);
    const lines = infoLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.fields).toMatchObject({ method: "POST", path: "/report", status: 303, event: "report submitted", channel: "web" });
  });
});
