// Bodies that try to stall the Node server, over real HTTP: a 48 MB JSON `report` part, clients that
// declare 32 MB and trickle a byte at a time, a third large upload from one client, and 20 parallel
// PDF receipt downloads. Meanwhile /healthz answers within a second and honest uploads go through.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type RunningServer } from "../../src/node";
import { nodeServerEnv } from "../support/node-server";
import { validReport } from "../support/fixtures";
import { webReportFields } from "../support/web-report";

const dir = mkdtempSync(join(tmpdir(), "fundwatch-slow-"));
let server: RunningServer;
let renders = 0;
const IDLE_MS = 1500;

beforeAll(async () => {
  server = await startNodeServer(
    nodeServerEnv(dir, {
      // Clients are told apart by the address our (pretend) proxy appends.
      TRUST_PROXY: "true",
      BODY_IDLE_TIMEOUT_MS: String(IDLE_MS),
      RECEIPT_LOOKUPS_PER_WINDOW: "15",
    }),
    { wrapReceiptPdf: (render) => (doc) => (renders++, render(doc)) },
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const enc = new TextEncoder();
/**
 * "Within a second" on an idle machine. These machines are shared and vary (PLATFORM-NOTES: compare
 * ratios measured in one run), so the bound grows with what one unit of the same work cost here just
 * before: the stalls fixed here were 20x that (20 renders) or 30 s (uploads held by tricklers).
 */
const responsiveBound = (baselineMs: number) => Math.max(1000, 2 * baselineMs);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The slowest /healthz answer while `work` runs (polled every 100 ms). */
async function slowestHealthzDuring<T>(work: Promise<T>): Promise<{ result: T; slowestMs: number }> {
  let done = false;
  let slowestMs = 0;
  const poll = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${server.url}/healthz`);
      await res.text();
      slowestMs = Math.max(slowestMs, performance.now() - started);
      await sleep(100);
    }
  })();
  try {
    return { result: await work, slowestMs };
  } finally {
    done = true;
    await poll;
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/**
 * A POST whose body is written by `write` (which may pause); resolves with the answer, or with status 0
 * when the connection is closed without one.
 */
function post(path: string, headers: Record<string, string | number>, write: (req: http.ClientRequest) => Promise<void>): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port: server.port, path, method: "POST", headers, agent: false }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString("utf8"), ms: performance.now() - started }));
    });
    req.on("error", () => (answered ? undefined : resolve({ status: 0, headers: {}, body: "", ms: performance.now() - started })));
    write(req).catch(() => undefined);
  });
}

/** Writes `bytes` in 64 KB pieces, honouring backpressure; stops quietly once the socket is gone. */
async function pump(req: http.ClientRequest, bytes: Uint8Array) {
  for (let at = 0; at < bytes.length && !req.destroyed; at += 64 * 1024) {
    if (!req.write(bytes.subarray(at, at + 64 * 1024))) await new Promise((r) => req.once("drain", r).once("close", r));
  }
  if (!req.destroyed) req.end();
}

const BOUNDARY = "sl0wb0dy";
const multipartHead = (name: string, filename?: string) =>
  enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: image/png` : ""}\r\n\r\n`);

/** A report with one PNG-signed file of `fileBytes` bytes, as multipart. */
function honestUpload(fileBytes: number): Uint8Array {
  const head = enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="report"\r\n\r\n${JSON.stringify(validReport())}\r\n`);
  const fileHead = multipartHead("evidence", "photo.png");
  const tail = enc.encode(`\r\n--${BOUNDARY}--\r\n`);
  const out = new Uint8Array(head.length + fileHead.length + fileBytes + tail.length);
  out.set(head, 0);
  out.set(fileHead, head.length);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], head.length + fileHead.length);
  out.set(tail, out.length - tail.length);
  return out;
}

const multipartHeaders = (client: string, length: number) => ({ "content-type": `multipart/form-data; boundary=${BOUNDARY}`, "content-length": length, "x-forwarded-for": client });

describe("slow and oversized bodies on a real Node server", () => {
  it("answers a 48 MB JSON `report` part with 413 at once, /healthz answering within a second meanwhile", async () => {
    const head = multipartHead("report");
    const body = new Uint8Array(48 * 1024 * 1024).fill(0x31);
    body.set(head, 0);
    body[head.length] = 0x5b; // "[1111…": a JSON array as long as the body
    const { result, slowestMs } = await slowestHealthzDuring(post("/api/v1/reports?lang=en", multipartHeaders("10.1.0.1", body.length), (req) => pump(req, body)));
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error.message).toContain('"report" is too large');
    expect(result.ms).toBeLessThan(3000);
    expect(slowestMs).toBeLessThan(1000);
  });

  it("lets honest uploads through while two clients trickle 32 MB bodies, refuses a third large upload from one client, and ends tricklers after the idle timeout", async () => {
    const trickler = "10.2.0.1";
    const stopTrickling = { at: Number.POSITIVE_INFINITY };
    const trickle = () =>
      post("/api/v1/reports", multipartHeaders(trickler, 32 * 1024 * 1024), async (req) => {
        req.write(multipartHead("report"));
        while (performance.now() < stopTrickling.at && !req.destroyed) {
          req.write("x");
          await sleep(400);
        }
        // Then silence: the server must end the request by itself.
      });
    const upload = honestUpload(3 * 1024 * 1024);
    const honest = () => Promise.all(["10.3.0.1", "10.3.0.2"].map((client) => post("/api/v1/reports", multipartHeaders(client, upload.length), (req) => pump(req, upload))));
    // The same uploads with no tricklers: what they cost this machine.
    const baselineUploadStallMs = (await slowestHealthzDuring(honest())).slowestMs;
    const first = trickle();
    const second = trickle();
    await sleep(300);

    // A third large upload from the same client: refused before a byte of its body is read.
    const third = await post("/api/v1/reports", multipartHeaders(trickler, 32 * 1024 * 1024), async (req) => void req.write(multipartHead("report")));
    expect(third.status).toBe(429);
    expect(Number(third.headers["retry-after"])).toBeGreaterThan(0);

    // Honest 3 MB uploads from two other clients go through, and the server stays as responsive as
    // with no tricklers at all.
    const { result, slowestMs } = await slowestHealthzDuring(honest());
    expect(result.map((r) => r.status)).toEqual([201, 201]);
    expect(slowestMs).toBeLessThan(responsiveBound(baselineUploadStallMs));

    // The tricklers fall silent; each is ended about IDLE_MS later (408), its upload slot given back.
    stopTrickling.at = performance.now();
    const ended = await Promise.all([first, second]);
    const silentFor = performance.now() - stopTrickling.at;
    for (const answer of ended) expect([408, 0]).toContain(answer.status);
    expect(ended.some((a) => a.status === 408)).toBe(true);
    expect(silentFor).toBeLessThan(IDLE_MS + 1500);
    const small = honestUpload(2 * 1024 * 1024);
    expect((await post("/api/v1/reports", multipartHeaders(trickler, small.length), (req) => pump(req, small))).status).toBe(201);
  });

  it("renders the PDF receipt once for 20 parallel downloads with one cookie, refuses those beyond the limit, and /healthz answers within a second", async () => {
    const client = "10.4.0.1";
    // One render (font loaded) first, of another report, to know what one costs on this machine.
    const warm = await fileByForm("10.4.0.2");
    const renderStartedAt = performance.now();
    expect((await fetch(`${server.url}/report/receipt.pdf`, { headers: { cookie: warm, "x-forwarded-for": "10.4.0.2" } })).status).toBe(200);
    const oneRenderMs = performance.now() - renderStartedAt;
    expect(renders).toBe(1);
    const cookie = await fileByForm(client);
    const download = () => fetch(`${server.url}/report/receipt.pdf`, { headers: { cookie, "x-forwarded-for": client } }).then(async (r) => ({ status: r.status, bytes: (await r.arrayBuffer()).byteLength }));
    const { result, slowestMs } = await slowestHealthzDuring(Promise.all(Array.from({ length: 20 }, download)));
    expect(slowestMs).toBeLessThan(responsiveBound(oneRenderMs));
    expect(renders).toBe(2);
    expect(result.filter((r) => r.status === 200)).toHaveLength(15);
    expect(result.filter((r) => r.status === 429)).toHaveLength(5);
    expect(new Set(result.filter((r) => r.status === 200).map((r) => r.bytes)).size).toBe(1);
  });
});

/** Files a report through the web form as `client`; returns the receipt cookie it was given. */
async function fileByForm(client: string): Promise<string> {
  const formPage = await (await fetch(`${server.url}/report`, { headers: { "x-forwarded-for": client } })).text();
  const token = /name="_once" value="([^"]+)"/.exec(formPage)![1]!;
  const form = new FormData();
  for (const [k, v] of Object.entries(webReportFields(token)))
    form.append(k, v);
  const filed = await fetch(`${server.url}/report`, { method: "POST", body: form, redirect: "manual", headers: { "x-forwarded-for": client } });
  expect(filed.status).toBe(303);
  return filed.headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ");
}
