// Body limits on a real Node server: a declared Content-Length over the limit is refused before the
// body is read, a chunked body is cut off as it streams, the 413 is localised and closes the
// connection, and a keep-alive client's next request works.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type RunningServer } from "../../src/node";
import { nodeServerEnv } from "../support/node-server";
import { validReport } from "../support/fixtures";

const dir = mkdtempSync(join(tmpdir(), "fundwatch-limits-"));
let server: RunningServer;
// MAX_ATTACHMENTS × MAX_ATTACHMENT_BYTES + 1 MB of room for fields: 1 MB + 64 KB here.
const LIMIT = 64 * 1024 + 1024 * 1024;

beforeAll(async () => {
  server = await startNodeServer(nodeServerEnv(dir, {
    MAX_ATTACHMENTS: "1",
    MAX_ATTACHMENT_BYTES: String(64 * 1024),
  }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

/** One request through `agent`; the body is written in 64 KB pieces, as a browser streams an upload. */
function send(agent: http.Agent, path: string, headers: Record<string, string | number>, body: Uint8Array | null): Promise<Answer> {
  const { port } = server;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port, path, method: body ? "POST" : "GET", agent, headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString("utf8"), reusedSocket: req.reusedSocket }));
    });
    // Writing the rest of a refused body may hit a closed socket; the answer has arrived by then.
    req.on("error", (err) => (answered ? undefined : reject(err)));
    if (!body) return void req.end();
    let offset = 0;
    const pump = () => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + 64 * 1024);
        offset += piece.length;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

function multipartBody(boundary: string, fileBytes: number): Uint8Array {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="report"\r\n\r\n${JSON.stringify(validReport())}\r\n--${boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const enc = new TextEncoder();
  const out = new Uint8Array(enc.encode(head).length + fileBytes + enc.encode(tail).length);
  out.set(enc.encode(head), 0);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], enc.encode(head).length);
  out.set(enc.encode(tail), out.length - enc.encode(tail).length);
  return out;
}

describe("upload limits on a real server", () => {
  it("refuses a declared Content-Length over the limit at once, localised, and closes the connection; the next request works", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const warm = await send(agent, "/healthz", {}, null);
      expect(warm.status).toBe(200);
      const body = multipartBody("b0undary", 4 * LIMIT);
      const refused = await send(agent, "/api/v1/reports", { "content-type": "multipart/form-data; boundary=b0undary", "content-length": body.length, "accept-language": "zh-CN" }, body);
      expect(refused.status).toBe(413);
      expect(refused.headers.connection).toBe("close");
      expect(JSON.parse(refused.body).error).toMatchObject({ code: "payload_too_large", message: expect.stringContaining("上传内容过大") });
      // The same agent again: it must not reuse the closed socket, and the server must answer.
      const after = await send(agent, "/healthz", {}, null);
      expect(after.status).toBe(200);
      expect(after.reusedSocket).toBe(false);
      const next = await send(agent, "/api/v1/reports", { "content-type": "application/json" }, new TextEncoder().encode(JSON.stringify(validReport())));
      expect(next.status).toBe(201);
    } finally {
      agent.destroy();
    }
  });

  it("cuts off a chunked body as soon as it passes the limit", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = multipartBody("chunky", 3 * LIMIT);
      const refused = await send(agent, "/api/v1/reports?lang=en", { "content-type": "multipart/form-data; boundary=chunky", "transfer-encoding": "chunked" }, body);
      expect(refused.status).toBe(413);
      expect(refused.headers.connection).toBe("close");
      expect(JSON.parse(refused.body).error.message).toMatch(/too large: at most 1.1 MB/);
      expect((await send(agent, "/healthz", {}, null)).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it("holds JSON to 256 KB even when chunked", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const json = new TextEncoder().encode(JSON.stringify(validReport({ description: "长".repeat(200_000) })));
      const refused = await send(agent, "/api/v1/reports", { "content-type": "application/json", "transfer-encoding": "chunked" }, json);
      expect(refused.status).toBe(413);
      expect((await send(agent, "/healthz", {}, null)).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it("accepts a body just under the limit", async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const body = multipartBody("fits", 60 * 1024);
      const res = await send(agent, "/api/v1/reports", { "content-type": "multipart/form-data; boundary=fits", "transfer-encoding": "chunked" }, body);
      expect(res.status).toBe(201);
    } finally {
      agent.destroy();
    }
  });
});

describe("UploadBudget", () => {
  it("lets one upload in however large, queues the rest in order, and refuses after waiting too long", async () => {
    const { UploadBudget } = await import("../../src/http/body");
    const budget = new UploadBudget(100, 50);
    const big = await budget.reserve(500);
    const order: string[] = [];
    const second = budget.reserve(60).then((release) => (order.push("second"), release));
    const third = budget.reserve(30).then((release) => (order.push("third"), release));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    big();
    const [releaseSecond, releaseThird] = await Promise.all([second, third]);
    expect(order).toEqual(["second", "third"]);
    const late = budget.reserve(80);
    await expect(late).rejects.toMatchObject({ code: "rate_limited", options: { messageKey: "errors.uploads_busy" } });
    releaseSecond();
    releaseThird();
    const again = await budget.reserve(100);
    again();
  });
});

describe("UploadBudget taken as bytes arrive", () => {
  it("a trickler holds only what it sent; two part-read uploads never wait on each other; one client holds at most two large uploads", async () => {
    const { UploadBudget } = await import("../../src/http/body");
    const budget = new UploadBudget(100, 50);
    // Two tricklers that declared far more than the budget hold one byte each.
    const tricklers = [budget.open(), budget.open()];
    for (const t of tricklers) await t.take(1);
    const honest = budget.open();
    await honest.take(90);
    // Another part-read upload needs more than is left: it may go over once (the overdraft) instead of waiting.
    const other = budget.open();
    await other.take(5);
    await other.take(50);
    // A fresh upload that does not fit waits in line and is refused after waiting too long.
    await expect(budget.reserve(30)).rejects.toMatchObject({ code: "rate_limited", options: { messageKey: "errors.uploads_busy" } });
    for (const t of [...tricklers, honest, other]) t.release();
    (await budget.reserve(100))();

    const first = budget.claimLargeUpload("203.0.113.9");
    const second = budget.claimLargeUpload("203.0.113.9");
    expect(() => budget.claimLargeUpload("203.0.113.9")).toThrow(expect.objectContaining({ code: "rate_limited", options: expect.objectContaining({ retryAfterSeconds: 10 }) }));
    budget.claimLargeUpload("203.0.113.10")();
    first();
    second();
    budget.claimLargeUpload("203.0.113.9")();
  });
});
