// A catch-all fake of the Telegram Bot API and the Slack Web API for intake-process --chat: answers
// every call with success, so `npm start` runs with both platforms configured (their libraries
// loaded, deliveries sent) without reaching the internet. Counts the calls.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export async function startFakeChat(): Promise<{ url: string; readonly calls: number; close(): Promise<void> }> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      // One body that satisfies both: Telegram reads ok/result, Slack reads ok/ts/channel.
      res.end(
        JSON.stringify({
          ok: true,
          result: { id: 1, is_bot: true, first_name: "bench", username: "bench_bot", message_id: calls, date: Math.floor(Date.now() / 1000), chat: { id: -1, type: "group" } },
          ts: `${Math.floor(Date.now() / 1000)}.${String(calls).padStart(6, "0")}`,
          channel: "C0BENCH",
          user_id: "U0BENCH",
          bot_id: "B0BENCH",
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get calls() {
      return calls;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
