// The OpenAPI document is enough to call every operation: each request body example is accepted
// (a documented answer comes back) and JSON answers match the documented schema.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context";

let ctx: TestContext;
let doc: any;
beforeAll(async () => {
  ctx = await createTestContext();
  doc = await (await ctx.app.request("/api/v1/openapi.json")).json();
});
afterAll(() => ctx.close());

function operations() {
  const out: { path: string; method: string; op: any }[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) for (const [method, op] of Object.entries<any>(item)) out.push({ path, method, op });
  return out;
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 with an example for every request body", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const { path, method, op } of operations()) {
      for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) expect(media.example, `${method} ${path} ${type}`).toBeDefined();
      expect(op.operationId, `${method} ${path}`).toBeTruthy();
    }
  });

  it("documents the receipt-based endpoints and the error shape", () => {
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/reports", "/api/v1/reports/status", "/api/v1/reports/messages", "/api/v1/reports/attachments"]));
    expect(doc.components.schemas.Error.properties.error.required).toEqual(expect.arrayContaining(["code", "message"]));
  });

  it("every operation can be called from its example alone", async () => {
    for (const { path, method, op } of operations()) {
      const content = op.requestBody?.content ?? {};
      const variants: RequestInit[] = [];
      if (content["application/json"]) variants.push({ method: method.toUpperCase(), headers: { "content-type": "application/json" }, body: JSON.stringify(content["application/json"].example) });
      if (content["multipart/form-data"]) {
        const form = new FormData();
        for (const [k, v] of Object.entries<any>(content["multipart/form-data"].example)) form.append(k, typeof v === "string" ? v : JSON.stringify(v));
        variants.push({ method: method.toUpperCase(), body: form });
      }
      if (variants.length === 0) variants.push({ method: method.toUpperCase() });
      const query = (op.parameters ?? []).filter((p: any) => p.in === "query" && p.example).map((p: any) => `${p.name}=${p.example}`).join("&");
      for (const init of variants) {
        const res = await ctx.app.request(`${path}${query ? `?${query}` : ""}`, init);
        const label = `${method.toUpperCase()} ${path} → ${res.status}`;
        expect(Object.keys(op.responses), label).toContain(String(res.status));
        expect(res.status, label).not.toBe(400);
        if (res.headers.get("content-type")?.includes("application/json")) {
          const body = await res.json();
          const schema = op.responses[String(res.status)].content?.["application/json"]?.schema;
          if (schema?.required) for (const key of schema.required) expect(body, `${label} lacks ${key}`).toHaveProperty(key);
        }
      }
    }
  });

  it("creates a report from the documented JSON example", async () => {
    const example = doc.paths["/api/v1/reports"].post.requestBody.content["application/json"].example;
    const res = await ctx.app.request("/api/v1/reports", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(example) });
    expect(res.status).toBe(201);
  });
});
