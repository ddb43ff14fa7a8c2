// A tiny counting HTTP proxy for intake.bench: sits in front of sqld so the bench can count the HTTP
// requests a server sends to its database (sqld's Hrana pipeline requests) during a burst of tips.
import { createServer, request, Agent, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  port: number;
  /** Requests forwarded since the start (the bench takes differences around a load round). */
  readonly count: number;
  /** Requests per label (the first SQL statement's opening words, or "close"/"other"), since the start. */
  labels(): Map<string, number>;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let count = 0;
  const byLabel = new Map<string, number>();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server: Server = createServer((req, res) => {
    count++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const label = labelOf(Buffer.concat(chunks).toString("utf8"));
      byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
    });
    const upstream = request({ host: "127.0.0.1", port: targetPort, path: req.url, method: req.method, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get count() {
      return count;
    },
    labels: () => new Map(byLabel),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

/**
 * What a Hrana pipeline request is about: the opening words of its first statement (table names
 * included, values not: statements bind their arguments), "close" for a stream close alone.
 */
function labelOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { requests?: { type: string; stmt?: { sql?: string }; batch?: { steps?: { stmt?: { sql?: string } }[] } }[] };
    const requests = parsed.requests ?? [];
    const kinds = requests.map((r) => r.type).join("+");
    const first = requests.map((r) => r.stmt?.sql ?? r.batch?.steps?.[0]?.stmt?.sql).find(Boolean);
    const steps = requests.reduce((n, r) => n + (r.batch?.steps?.length ?? (r.stmt ? 1 : 0)), 0);
    return first ? `${kinds} (${steps} statements): ${first.replace(/\s+/g, " ").slice(0, 60)}` : kinds || "other";
  } catch {
    return "other";
  }
}
