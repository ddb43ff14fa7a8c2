// Fake Telegram Bot API and Slack Web API servers on loopback: they record every call and can be told
// to fail (429 with retry_after, or 500), to stall, and to enforce the platforms' rate limits (scaled
// for fast tests), answering a violation with 429 as the platforms do, to test delivery through outages.
// Other platforms' fakes (test/support/fake-<platform>.ts) extend FakeServer the same way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface RecordedCall {
  method: string;
  body: Record<string, any>;
  /** When the server accepted it (Date.now()). */
  at: number;
}

export type Fault = { status: 429 | 500; retryAfter?: number };

/** What a fake sees of a request besides its parsed body (REST platforms name the method by verb and path). */
export interface FakeRequest {
  /** The path and query. */
  url: string;
  /** GET, POST, PATCH … */
  httpMethod: string;
  headers: Record<string, string | string[] | undefined>;
}

/** An answer a fake gives instead of routing the call (e.g. an expired access token). */
export interface FakeAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface RateLimits {
  perChatIntervalMs: number;
  /** Telegram: cap per sliding window for groups (negative chat ids). */
  groupMax?: number;
  groupWindowMs?: number;
  /** What one unit of retry_after / Retry-After stands for (1000 ms unscaled). */
  retryAfterUnitMs?: number;
  /** Clock jitter forgiven between the client's pacing and this server's (ms). */
  toleranceMs?: number;
}

export interface Rejection {
  method: string;
  chat: string;
  at: number;
  retryAfter: number;
  /** The chat was already told to wait and called again before the time was up. */
  early: boolean;
}

interface Stall {
  ms: number;
  remaining: number;
  match: (method: string, body: Record<string, any>) => boolean;
}

export abstract class FakeServer {
  readonly calls: RecordedCall[] = [];
  /** Calls answered 429 by the enforced limits or a retry window. */
  readonly rejections: Rejection[] = [];
  /** Calls whose client hung up during a stall: never processed (the platform did not act on them). */
  readonly abandoned: RecordedCall[] = [];
  private server: Server | null = null;
  private faults: Fault[] = [];
  private chatFaults: { chat: string; fault: Fault }[] = [];
  private methodFaults: { method: string; fault: Fault }[] = [];
  /** method → time before which any call of it is answered 429 (after a 429 from failNextMethod). */
  private readonly methodWindows = new Map<string, number>();
  /** Every request processed, answered or refused, with its time and status (calls holds only the answered). */
  readonly received: (RecordedCall & { status: number })[] = [];
  private stalls: Stall[] = [];
  /** chat → time before which any call is answered 429 (after a 429 with retry_after). */
  protected readonly retryWindows = new Map<string, number>();
  private readonly sends = new Map<string, number[]>();
  limits: RateLimits | null = null;
  /** Runs as each call is accepted, before its time is taken (a virtual clock charges the call's latency here). */
  beforeAccept: (() => void) | null = null;
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

  /** The next `count` message calls to `chat` fail this way (other chats are unaffected). */
  failNextFor(chat: string, count: number, fault: Fault) {
    for (let i = 0; i < count; i++) this.chatFaults.push({ chat, fault });
  }

  /**
   * The next `count` calls of `method` (any chat) fail this way; a 429 then holds the whole method for its
   * retry-after, as Slack's per-method limits do: an earlier call of it, to any chat, is rejected as early.
   */
  failNextMethod(method: string, count: number, fault: Fault) {
    for (let i = 0; i < count; i++) this.methodFaults.push({ method, fault });
  }

  /** The next `count` matching calls hang for `ms` before being processed (or dropped, if the client gives up). */
  stallNext(count: number, ms: number, match: (method: string, body: Record<string, any>) => boolean = () => true) {
    this.stalls.push({ ms, remaining: count, match });
  }

  /** Enforces per-chat pacing (and Telegram's group window) on message calls from now on. */
  enforce(limits: RateLimits | null) {
    this.limits = limits;
    return this;
  }

  callsTo(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  protected abstract route(method: string, body: Record<string, any>, request: FakeRequest): unknown;
  protected abstract methodOf(url: string, httpMethod: string): string;
  /** Answers a call before faults and limits apply (an invalid token, say); null lets it through. Default: none. */
  protected intercept(_method: string, _body: Record<string, any>, _request: FakeRequest): FakeAnswer | null {
    return null;
  }
  protected abstract faultResponse(fault: Fault): { status: number; headers: Record<string, string>; body: unknown };
  /** The chat a message call goes to, or null for calls the limits do not count. */
  protected abstract chatOf(method: string, body: Record<string, any>): string | null;
  protected abstract isGroup(chat: string): boolean;

  private unit() {
    return this.limits?.retryAfterUnitMs ?? 1000;
  }

  /** 429 for a chat that must wait (retry window, pacing, group window); records the send otherwise. */
  private policyFault(method: string, body: Record<string, any>, now: number): Fault | null {
    const chat = this.chatOf(method, body);
    if (chat === null || !this.limits) return null;
    const reject = (untilMs: number, early: boolean): Fault => {
      const retryAfter = Math.max(1, Math.ceil((untilMs - now) / this.unit()));
      this.rejections.push({ method, chat, at: now, retryAfter, early });
      this.retryWindows.set(chat, Math.max(this.retryWindows.get(chat) ?? 0, now + retryAfter * this.unit()));
      return { status: 429, retryAfter };
    };
    const window = this.retryWindows.get(chat);
    if (window !== undefined && now < window - (this.limits.toleranceMs ?? 0)) return reject(window, true);
    {
      const tolerance = this.limits.toleranceMs ?? 0;
      const sent = this.sends.get(chat) ?? [];
      const last = sent.at(-1);
      if (last !== undefined && now - last < this.limits.perChatIntervalMs - tolerance) return reject(last + this.limits.perChatIntervalMs, false);
      const { groupMax, groupWindowMs } = this.limits;
      if (groupMax && groupWindowMs && this.isGroup(chat)) {
        const inWindow = sent.filter((t) => t > now - groupWindowMs + tolerance);
        if (inWindow.length >= groupMax) return reject(inWindow[inWindow.length - groupMax]! + groupWindowMs, false);
      }
      sent.push(now);
      if (sent.length > 200) sent.splice(0, sent.length - 200);
      this.sends.set(chat, sent);
    }
    return null;
  }

  /** Remembers a fault's retry window for its chat, so a client calling again too early is caught. */
  private noteFault(method: string, body: Record<string, any>, fault: Fault, now: number) {
    const chat = this.chatOf(method, body);
    if (chat !== null && fault.status === 429) this.retryWindows.set(chat, now + (fault.retryAfter ?? 1) * this.unit());
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      if (this.hanging) {
        this.held.push(req);
        return;
      }
      const body = await readBody(req);
      const request: FakeRequest = { url: req.url ?? "", httpMethod: req.method ?? "GET", headers: req.headers };
      const method = this.methodOf(request.url, request.httpMethod);
      const intercepted = this.intercept(method, body, request);
      if (intercepted) {
        this.received.push({ method, body, at: Date.now(), status: intercepted.status });
        res.writeHead(intercepted.status, { "content-type": "application/json", ...intercepted.headers });
        res.end(JSON.stringify(intercepted.body));
        return;
      }
      const stall = this.stalls.find((s) => s.remaining > 0 && s.match(method, body));
      if (stall) {
        stall.remaining--;
        if (!(await holdOpen(res, stall.ms))) {
          this.abandoned.push({ method, body, at: Date.now() });
          return;
        }
      }
      this.beforeAccept?.();
      const now = Date.now();
      const chat = this.chatOf(method, body);
      const targeted = chat === null ? -1 : this.chatFaults.findIndex((f) => f.chat === chat);
      const byMethod = this.methodFaults.findIndex((f) => f.method === method);
      const methodWindow = this.methodWindows.get(method);
      let injected: Fault | undefined;
      if (methodWindow !== undefined && now < methodWindow) {
        const retryAfter = Math.max(1, Math.ceil((methodWindow - now) / this.unit()));
        this.rejections.push({ method, chat: chat ?? "", at: now, retryAfter, early: true });
        injected = { status: 429, retryAfter };
      } else if (targeted >= 0) injected = this.chatFaults.splice(targeted, 1)[0]!.fault;
      else if (byMethod >= 0) {
        injected = this.methodFaults.splice(byMethod, 1)[0]!.fault;
        if (injected.status === 429) this.methodWindows.set(method, now + (injected.retryAfter ?? 1) * this.unit());
      } else injected = this.faults.shift();
      if (injected) this.noteFault(method, body, injected, now);
      const fault = injected ?? this.policyFault(method, body, now);
      this.received.push({ method, body, at: now, status: fault ? fault.status : 200 });
      if (fault) {
        const answer = this.faultResponse(fault);
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(JSON.stringify(answer.body));
        return;
      }
      this.calls.push({ method, body, at: now });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(this.route(method, body, request)));
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

/** Waits `ms` with the request open; false if the client hung up meanwhile. */
function holdOpen(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(!res.destroyed);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    res.once("close", onClose);
  });
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

  protected chatOf(method: string, body: Record<string, any>) {
    return method === "sendMessage" || method === "editMessageText" ? String(body.chat_id) : null;
  }

  protected isGroup(chat: string) {
    return chat.startsWith("-");
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

interface SlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export class FakeSlack extends FakeServer {
  private ts = 1_700_000_000;

  /** `wallClockTs`: message ts follow the real clock, as Slack's do (history searches by them); default a fixed counter. */
  constructor(private readonly options: { wallClockTs?: boolean } = {}) {
    super();
  }
  /** Messages as posted (and updated), for conversations.history / conversations.replies. */
  readonly messages: SlackMessage[] = [];

  protected methodOf(url: string) {
    return (url.split("?")[0] ?? "").split("/").pop() ?? "";
  }

  protected chatOf(method: string, body: Record<string, any>) {
    return method === "chat.postMessage" || method === "chat.update" ? String(body.channel) : null;
  }

  protected isGroup() {
    return false;
  }

  protected faultResponse(fault: Fault): { status: number; headers: Record<string, string>; body: unknown } {
    return fault.status === 429
      ? { status: 429, headers: { "retry-after": String(fault.retryAfter ?? 1) }, body: { ok: false, error: "ratelimited" } }
      : { status: 500, headers: {}, body: { ok: false, error: "internal_error" } };
  }

  /** Posts carrying this outbox id in their metadata. */
  postsFor(outboxId: string) {
    return this.messages.filter((m) => m.metadata?.event_payload?.outbox_id === outboxId);
  }

  protected route(method: string, body: Record<string, any>) {
    switch (method) {
      case "chat.postMessage": {
        const ts = this.options.wallClockTs ? `${Math.floor(Date.now() / 1000)}.${String(this.messages.length).padStart(6, "0")}` : `${this.ts++}.000100`;
        this.messages.push({ channel: String(body.channel), ts, text: String(body.text ?? ""), ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}), ...(body.metadata ? { metadata: body.metadata } : {}) });
        return { ok: true, channel: body.channel, ts };
      }
      case "chat.update":
        return { ok: true, channel: body.channel, ts: body.ts };
      case "conversations.history":
      case "conversations.replies": {
        const oldest = Number(body.oldest ?? 0);
        const withMetadata = body.include_all_metadata === true || body.include_all_metadata === "true";
        const found = this.messages
          .filter((m) => m.channel === String(body.channel) && Number(m.ts) >= oldest)
          .filter((m) => (method === "conversations.history" ? !m.thread_ts : m.thread_ts === String(body.ts) || m.ts === String(body.ts)))
          .reverse()
          .map(({ metadata, ...m }) => ({ type: "message", ...m, ...(withMetadata && metadata ? { metadata } : {}) }));
        return { ok: true, messages: found, has_more: false, response_metadata: { next_cursor: "" } };
      }
      default:
        return { ok: true };
    }
  }
}
