// One chat harness for every chat test: fake Telegram and Slack servers on loopback, an app whose chat
// runtime talks to them over real HTTP, the example organisation, and the moves a chat test makes —
// enrol a member, post an update or a signed Slack request, press a button, reply to a prompt, deliver
// until idle, read what a chat received. A new platform adds its fake server and its moves here: a
// FakeServer subclass in test/support/fake-<platform>.ts, its variables in the harness's chatEnv, its
// moves (signed callback, press, message, enrol) in test/support/<platform>-moves.ts spread into `h`,
// and the fake in `fakes` so close() stops it.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { createChatRuntime } from "../../src/chat/runtime";
import { deliverDueMessages } from "../../src/services/delivery/outbox";
import { members } from "../../src/db/schema";
import { createInvite, importOrganisation, orgFileSchema, type OrgFile } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "./context";
import { FakeSlack, FakeTelegram, type RecordedCall } from "./fake-chat-servers";
import { FakeFeishu } from "./fake-feishu";
import { FEISHU_APP, feishuEnv, feishuMoves } from "./feishu-moves";
import { FakeDingtalk } from "./fake-dingtalk";
import { dingtalkMoves, fakeDingtalkEnv } from "./dingtalk-moves";
import { jsonPost, validReport } from "./fixtures";
import { FakeWecom } from "./fake-wecom";
import { wecomEnv, wecomMoves } from "./wecom-moves";

export const TG_SECRET = "telegram-secret-0123456789";
export const SLACK_SECRET = "slack-signing-secret-abcdef0123";
export const PUBLIC_BASE_URL = "https://fundwatch.example.gov.cn";

/** The example file parsed once per test file (YAML and the schema cost 10–60 ms a harness); each caller gets a copy. */
let parsedExample: OrgFile | null = null;

/** The example organisation file, parsed; `edit` may change it (a copy of its own) before it is imported. */
export function exampleOrg(edit?: (file: OrgFile) => void): OrgFile {
  parsedExample ??= orgFileSchema.parse(parseYaml(readFileSync("examples/org.example.yaml", "utf8")));
  const file = structuredClone(parsedExample);
  edit?.(file);
  return file;
}

export interface ChatHarnessOptions {
  /** Extra configuration (e.g. a different bot token); the chat platforms' variables are set already. */
  env?: Record<string, string>;
  /** The organisation to import: the example (default), an edited one, or none. */
  org?: OrgFile | null;
  /** The test clock's start (default Monday 24 Nov 2026, 10:00 in Shanghai). */
  now?: string | Date;
  /** The first Telegram update id (tests that share a bot with an earlier file keep theirs apart). */
  firstUpdateId?: number;
  /** Options for the fake Slack server. */
  slack?: ConstructorParameters<typeof FakeSlack>[0];
  /** Options for the test context (e.g. key material shared with a CLI process). */
  context?: Parameters<typeof createTestContext>[1];
}

export type TelegramChat = string | number;

export interface SlackCommandOptions {
  channel?: string;
  channelName?: string;
  trigger?: string;
  responseUrl?: string;
}

export const tgUser = (id: number) => ({ id, is_bot: false, first_name: `user${id}` });
/** Negative ids are groups, as on Telegram. */
export const tgChat = (id: TelegramChat) => ({ id: Number(id), type: Number(id) < 0 ? "supergroup" : "private", title: "chat" });

/** The chat platforms' configuration pointing at the fakes (tests that build their own context use it too). */
export function fakeChatEnv(telegram: FakeTelegram, slack: FakeSlack): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: "123456:TEST-token",
    TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
  };
}

export interface DeliverOptions {
  /** At most this many delivery rounds (default 20). */
  rounds?: number;
  /** Stop as soon as this holds. */
  until?: () => boolean;
  /** The least the test clock moves between rounds (default 1000 ms). */
  stepMs?: number;
}

/**
 * Delivers everything due, moving the test clock past per-chat pacing to each next due time (at least
 * `stepMs` a round), until nothing is due or `until` holds. Returns the simulated milliseconds it took.
 */
export async function deliverUntilIdle(ctx: TestContext, opts: DeliverOptions = {}): Promise<number> {
  const from = ctx.deps.now().getTime();
  for (let i = 0; i < (opts.rounds ?? 20); i++) {
    const report = await deliverDueMessages(ctx.deps.chat!.delivery);
    if (opts.until?.() || report.nextDueAt === null) break;
    ctx.setNow(new Date(Math.max(ctx.deps.now().getTime() + (opts.stepMs ?? 1000), report.nextDueAt)));
  }
  return ctx.deps.now().getTime() - from;
}

export async function createChatHarness(options: ChatHarnessOptions = {}) {
  const telegram = await new FakeTelegram().start();
  const slack = await new FakeSlack(options.slack).start();
  // DingTalk (test/support/fake-dingtalk.ts, dingtalk-moves.ts).
  const dingtalk = await new FakeDingtalk().start();
  /** The chat platforms' configuration (the fakes), also for a CLI process that delivers to them. */
  const chatEnv: Record<string, string> = { ...fakeChatEnv(telegram, slack), ...fakeDingtalkEnv(dingtalk), PUBLIC_BASE_URL, ...options.env };
  /** Every fake server of the harness, stopped by close(). */
  const fakes: { stop(): Promise<void> }[] = [telegram, slack, dingtalk];
  // Feishu: the fake Open API, its variables (options.env still wins), its moves below.
  const feishu = await new FakeFeishu(FEISHU_APP).start();
  Object.assign(chatEnv, feishuEnv(feishu), options.env);
  fakes.push(feishu);
  // WeCom: the fake, its variables, and its moves (wecomCallback, wecomText, wecomPress, enrolWecom …) in `h`.
  const wecom = await new FakeWecom().start();
  Object.assign(chatEnv, wecomEnv(wecom), options.env);
  fakes.push(wecom);
  const ctx: TestContext = await createTestContext(chatEnv, options.context);
  ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
  const system = { type: "system" as const, platform: "cli" as const };
  const org = options.org === undefined ? exampleOrg() : options.org;
  if (org) await importOrganisation(ctx.deps, org, system);
  /** Member ids by display name. */
  const memberIds: Record<string, string> = {};
  for (const m of await ctx.db.select({ id: members.id, displayName: members.displayName }).from(members)) memberIds[m.displayName] = m.id;
  ctx.setNow(options.now ?? "2026-11-24T02:00:00Z");
  let updateId = options.firstUpdateId ?? 1;

  const h = {
    ctx,
    telegram,
    slack,
    feishu,
    ...feishuMoves(ctx, feishu, { invite: (member) => createInvite(ctx.deps, { memberId: memberIds[member] ?? member, actor: system }), deliver: () => deliverUntilIdle(ctx) }),
    memberIds,
    chatEnv,
    ...dingtalkMoves(ctx, dingtalk, () => deliverUntilIdle(ctx), (member) => createInvite(ctx.deps, { memberId: memberIds[member] ?? member, actor: system })),
    wecom,
    ...wecomMoves({ ctx, fake: wecom, invite: (member) => createInvite(ctx.deps, { memberId: memberIds[member] ?? member, actor: system }), deliver: () => deliverUntilIdle(ctx) }),
    /** Takes the next Telegram update id (to send the same update twice). */
    takeUpdateId: () => updateId++,

    /** Delivers until idle (see `deliverUntilIdle`); returns the simulated milliseconds it took. */
    deliver: (opts: DeliverOptions = {}) => deliverUntilIdle(ctx, opts),

    /** Posts a raw Telegram update (an `update_id` is added unless the body has one). */
    telegramUpdate(body: Record<string, unknown>, opts: { secret?: string | null } = {}) {
      const secret = opts.secret === undefined ? TG_SECRET : opts.secret;
      return ctx.app.request("/webhooks/telegram", {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
        body: JSON.stringify({ update_id: updateId++, ...body }),
      });
    },

    /**
     * The update of a text message from `userId` in `chat` (their private chat by default), optionally
     * replying to a message; it takes an update id unless given one. A value, to deliver twice or hand to a bot.
     */
    messageUpdate(userId: number, text: string, opts: { chat?: TelegramChat; replyTo?: number; id?: number } = {}) {
      const chat = tgChat(opts.chat ?? userId);
      const id = opts.id ?? updateId++;
      const replyTo = opts.replyTo === undefined ? {} : { reply_to_message: { message_id: opts.replyTo, date: 0, chat, text: "prompt" } };
      return { update_id: id, message: { message_id: id, date: 0, chat, from: tgUser(userId), text, ...replyTo } };
    },

    /** The update of a button press on the card `messageId` in `chat` (a value, like `messageUpdate`). */
    pressUpdate(userId: number, chat: TelegramChat, data: string, messageId = 1, id = updateId++) {
      const message = { message_id: messageId, date: 0, chat: tgChat(chat), text: "card" };
      return { update_id: id, callback_query: { id: `cb${id}`, from: tgUser(userId), chat_instance: "ci", data, message } };
    },

    /** Sends a text message from `userId` (see `messageUpdate`). */
    sendTelegram(userId: number, text: string, opts: { chat?: TelegramChat; replyTo?: number; id?: number; secret?: string | null } = {}) {
      return h.telegramUpdate(h.messageUpdate(userId, text, opts), opts);
    },

    /** A button press on the card `messageId` in `chat`. */
    pressTelegram(userId: number, chat: TelegramChat, data: string, messageId = 1, id = updateId++) {
      return h.telegramUpdate(h.pressUpdate(userId, chat, data, messageId, id));
    },

    /**
     * Replies to the newest force-reply prompt the bot sent (the fake numbers its messages from 1000);
     * `lastMessage` replies to the newest message of all instead, whatever it is; `rounds` bounds the delivery first.
     */
    async replyToLastPrompt(userId: number, chat: TelegramChat, text: string, opts: { lastMessage?: boolean; rounds?: number } = {}) {
      await h.deliver({ rounds: opts.rounds });
      const sent = telegram.callsTo("sendMessage");
      const index = opts.lastMessage ? sent.length - 1 : sent.map((c) => Boolean(c.body.reply_markup?.force_reply)).lastIndexOf(true);
      if (index < 0) throw new Error("no prompt was sent");
      return h.sendTelegram(userId, text, { chat, replyTo: 1000 + index });
    },

    /** Presses a button (see `pressTelegram`), requires Telegram's 200, and delivers until idle. */
    async press(userId: number, chat: TelegramChat, data: string, messageId = 1) {
      const res = await h.pressTelegram(userId, chat, data, messageId);
      if (res.status !== 200) throw new Error(`the press answered ${res.status}`);
      await h.deliver();
    },

    /** Replies to the newest force-reply prompt (see `replyToLastPrompt`), requires a 200, and delivers until idle. */
    async reply(userId: number, chat: TelegramChat, text: string) {
      const res = await h.replyToLastPrompt(userId, chat, text);
      if (res.status !== 200) throw new Error(`the reply answered ${res.status}`);
      await h.deliver();
    },

    /** A request signed as Slack signs it (`v0:{timestamp}:{body}`), at the test clock's time unless told otherwise. */
    slackRequest(
      body: string,
      opts: { contentType?: string; timestamp?: number; secret?: string; headers?: Record<string, string> } = {},
    ) {
      const timestamp = opts.timestamp ?? Math.floor(ctx.deps.now().getTime() / 1000);
      const signature = `v0=${createHmac("sha256", opts.secret ?? SLACK_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
      return ctx.app.request("/webhooks/slack", {
        method: "POST",
        headers: {
          "content-type": opts.contentType ?? "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": signature,
          ...opts.headers,
        },
        body,
      });
    },

    /** The form body of a `/fundwatch <text>` slash command (`responseUrl` adds a `response_url`). */
    slackCommandBody(user: string, text: string, opts: SlackCommandOptions = {}) {
      return new URLSearchParams({
        command: "/fundwatch",
        text,
        user_id: user,
        channel_id: opts.channel ?? `D0${user}`,
        channel_name: opts.channelName ?? (opts.channel ? "channel" : "directmessage"),
        trigger_id: opts.trigger ?? `trig-${updateId++}`,
        ...(opts.responseUrl ? { response_url: opts.responseUrl } : {}),
        team_id: "T1",
        token: "x",
      }).toString();
    },

    /** Sends `/fundwatch <text>` as `user`. */
    slackCommand(user: string, text: string, opts: SlackCommandOptions = {}) {
      return h.slackRequest(h.slackCommandBody(user, text, opts));
    },

    /** Sends an interactive payload (block action, view submission) as Slack does: form-encoded `payload=`. */
    slackInteraction(payload: Record<string, unknown> | string, opts: { headers?: Record<string, string>; timestamp?: number } = {}) {
      return h.slackRequest(new URLSearchParams({ payload: typeof payload === "string" ? payload : JSON.stringify(payload) }).toString(), opts);
    },

    /**
     * A one-time enrolment code for a member (by display name or id), issued as an operator would;
     * `additionalAccount` adds the platform a bound member does not have yet (`--additional-account`).
     */
    invite(member: string, opts: { additionalAccount?: boolean } = {}) {
      return createInvite(ctx.deps, { memberId: memberIds[member] ?? member, actor: system, ...opts });
    },

    /** Enrols a member (by display name or id) from a Telegram account with a fresh one-time code. */
    async enrolTelegram(member: string, userId: number) {
      const { code } = await h.invite(member);
      const res = await h.sendTelegram(userId, `/start ${code}`);
      if (res.status !== 200) throw new Error(`enrolment answered ${res.status}`);
      await h.deliver();
    },

    /** Enrols a member (by display name or id) from a Slack account (`/fundwatch join CODE` in a DM). */
    async enrolSlack(member: string, slackUserId: string, opts: { additionalAccount?: boolean } = {}) {
      const { code } = await h.invite(member, opts);
      const res = await h.slackCommand(slackUserId, `join ${code}`);
      if (res.status !== 200) throw new Error(`enrolment answered ${res.status}`);
      await h.deliver();
    },

    /** Files a tip through the API; returns the report id and receipt. */
    async submitTip(overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
      const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport(overrides), headers));
      if (res.status !== 201) throw new Error(`tip answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { reportId: string; receipt: string };
    },

    /**
     * Types `text` as `userId` in `chat` (their private chat by default), delivers, and returns the texts
     * that reached that chat and the person's private chat, and the messages sent anywhere else.
     */
    async typed(userId: number, text: string, opts: { chat?: TelegramChat } = {}) {
      const chat = String(opts.chat ?? userId);
      const before = telegram.callsTo("sendMessage").length;
      const res = await h.sendTelegram(userId, text, { chat });
      if (res.status !== 200) throw new Error(`the update answered ${res.status}`);
      await h.deliver();
      const sent = telegram.callsTo("sendMessage").slice(before);
      return {
        inChat: sent.filter((c) => String(c.body.chat_id) === chat).map((c) => String(c.body.text)),
        privately: sent.filter((c) => String(c.body.chat_id) === String(userId)).map((c) => String(c.body.text)),
        elsewhere: sent.filter((c) => String(c.body.chat_id) !== chat && String(c.body.chat_id) !== String(userId)),
      };
    },

    /** Telegram messages sent to one chat, in order. */
    sentTo(chat: TelegramChat): RecordedCall[] {
      return telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === String(chat));
    },

    /** The Telegram message id the fake gave a sendMessage call (it numbers them from 1000 in order). */
    messageIdOf(call: RecordedCall): number {
      return 1000 + telegram.callsTo("sendMessage").indexOf(call);
    },

    /** The callback data of a Telegram message's inline buttons. */
    buttonsOf(call: RecordedCall): string[] {
      return ((call.body.reply_markup?.inline_keyboard ?? []) as { callback_data?: string }[][]).flat().map((b) => b.callback_data ?? "");
    },

    async close() {
      await ctx.close();
      for (const fake of fakes) await fake.stop();
    },
  };
  return h;
}

export type ChatHarness = Awaited<ReturnType<typeof createChatHarness>>;

/** A Slack button press (`block_actions` payload) as Slack sends it; `messageTs` and `blockId` are left out unless given. */
export function slackBlockAction(press: {
  user: string;
  channel: string;
  actionId: string;
  value: string;
  actionTs: string;
  trigger: string;
  messageTs?: string;
  blockId?: string;
}) {
  const action = { action_id: press.actionId, ...(press.blockId === undefined ? {} : { block_id: press.blockId }), value: press.value, type: "button", action_ts: press.actionTs };
  return {
    type: "block_actions",
    user: { id: press.user },
    channel: { id: press.channel },
    team: { id: "T1" },
    trigger_id: press.trigger,
    ...(press.messageTs === undefined ? {} : { message: { ts: press.messageTs } }),
    actions: [action],
    api_app_id: "A1",
    token: "x",
  };
}

/** Polls `check` until it holds (real time: for work that runs after a webhook has answered). */
export async function waitFor(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("condition not reached in time");
}

/**
 * Polls `check` for up to `ms` (real time) and says whether it came to hold; the caller asserts what follows.
 * It ends as soon as the condition holds; the long default is for a loaded machine.
 */
export async function pollUntil(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
