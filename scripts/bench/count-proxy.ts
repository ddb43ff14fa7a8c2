// A tiny counting HTTP proxy for intake.bench: sits in front of sqld so the bench can count the HTTP
// requests a server sends to its database (sqld's Hrana pipeline requests) during a burst of tips.
import { createServer, request, Agent, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  port: number;
  /** Requests forwarded since the start (the bench takes differences around a load round). */
  readonly count: number;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let count = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server: Server = createServer((req, res) => {
    count++;
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
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
