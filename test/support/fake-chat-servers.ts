// Fake Telegram Bot API and Slack Web API servers on loopback: they record every call and can be told
// to fail (429 with retry_after, or 500) to test delivery through outages.
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface RecordedCall {
  method: string;
  body: Record<string, any>;
}

type Fault = { status: 429 | 500; retryAfter?: number };

abstract class FakeServer {
  readonly calls: RecordedCall[] = [];
  private server: Server | null = null;
  private faults: Fault[] = [];
  private hanging = false;
  private held: IncomingMessage[] = [];
  url = "";

  /** While on, every request is accepted and never answered (a platform that hangs); off drops the held ones. */
  hang(on: boolean) {
    this.hanging = on;
    if (!on) for (const req of this.held.splice(0)) req.socket.destroy();
  }

  /** Requests that arrived while hanging and were never answered. */
  get heldCount() {
    return this.held.length;
  }

  /** The next `count` calls fail this way. */
  failNext(count: number, fault: Fault) {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  callsTo(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  protected abstract route(method: string, body: Record<string, any>): unknown;
  protected abstract methodOf(url: string): string;
  protected abstract faultResponse(fault: Fault): { status: number; headers: Record<string, string>; body: unknown };

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      if (this.hanging) {
        this.held.push(req);
        return;
      }
      const body = await readBody(req);
      const method = this.methodOf(req.url ?? "");
      const fault = this.faults.shift();
      if (fault) {
        const answer = this.faultResponse(fault);
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(JSON.stringify(answer.body));
        return;
      }
      this.calls.push({ method, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(this.route(method, body)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  async stop() {
    this.hang(false);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (!raw) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(raw);
  const form = Object.fromEntries(new URLSearchParams(raw));
  // Slack's client form-encodes; structured fields arrive as JSON strings.
  for (const [k, v] of Object.entries(form)) if (/^[[{]/.test(v)) form[k] = JSON.parse(v);
  return form;
}

export class FakeTelegram extends FakeServer {
  private nextMessageId = 1000;
  readonly botId = 777000;

  protected methodOf(url: string) {
    return url.split("/").pop() ?? "";
  }

  protected faultResponse(fault: Fault): { status: number; headers: Record<string, string>; body: unknown } {
    return fault.status === 429
      ? { status: 429, headers: {}, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after " + (fault.retryAfter ?? 1), parameters: { retry_after: fault.retryAfter ?? 1 } } }
      : { status: 500, headers: {}, body: { ok: false, error_code: 500, description: "Internal Server Error" } };
  }

  protected route(method: string, body: Record<string, any>) {
    switch (method) {
      case "getMe":
        return { ok: true, result: { id: this.botId, is_bot: true, first_name: "FundWatch", username: "fundwatch_test_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } };
      case "sendMessage":
        return { ok: true, result: { message_id: this.nextMessageId++, date: 0, chat: { id: Number(body.chat_id), type: "supergroup" }, text: body.text } };
      case "editMessageText":
        return { ok: true, result: { message_id: Number(body.message_id), date: 0, chat: { id: Number(body.chat_id), type: "supergroup" }, text: body.text } };
      default:
        return { ok: true, result: true };
    }
  }
}

export class FakeSlack extends FakeServer {
  private ts = 1_700_000_000;

  protected methodOf(url: string) {
    return (url.split("?")[0] ?? "").split("/").pop() ?? "";
  }

  protected faultResponse(fault: Fault): { status: number; headers: Record<string, string>; body: unknown } {
    return fault.status === 429
      ? { status: 429, headers: { "retry-after": String(fault.retryAfter ?? 1) }, body: { ok: false, error: "ratelimited" } }
      : { status: 500, headers: {}, body: { ok: false, error: "internal_error" } };
  }

  protected route(method: string, body: Record<string, any>) {
    switch (method) {
      case "chat.postMessage":
        return { ok: true, channel: body.channel, ts: `${this.ts++}.000100` };
      case "chat.update":
        return { ok: true, channel: body.channel, ts: body.ts };
      default:
        return { ok: true };
    }
  }
}
