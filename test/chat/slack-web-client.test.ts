// The fetch-based Slack Web API client (src/chat/slack/web-client.ts) against the fake Slack server on
// loopback: arguments arrive as @slack/web-api sends them, and each kind of failure comes back as the
// error code the adapter and the outbox read (platform error, rate limit with Retry-After, HTTP error,
// no answer).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackWebClient, encodeSlackArgs, SlackApiError, SlackErrorCode } from "../../src/chat/slack/web-client";
import { FakeSlack } from "../support/fake-chat-servers";

let slack: FakeSlack;
beforeAll(async () => {
  slack = await new FakeSlack().start();
});
afterAll(() => slack.stop());

const client = (timeoutMs = 2000) => createSlackWebClient({ token: "xoxb-test", apiUrl: `${slack.url}/api`, timeoutMs });

async function failure(call: Promise<unknown>): Promise<SlackApiError> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SlackApiError);
  return err as SlackApiError;
}

describe("the Slack Web API client", () => {
  it("form-encodes arguments as @slack/web-api does: objects and arrays as JSON, undefined left out", () => {
    const form = new URLSearchParams(encodeSlackArgs({ channel: "C1", blocks: [{ type: "section" }], metadata: { event_type: "x" }, unfurl_links: false, limit: 200, cursor: undefined }));
    expect(Object.fromEntries(form)).toEqual({ channel: "C1", blocks: '[{"type":"section"}]', metadata: '{"event_type":"x"}', unfurl_links: "false", limit: "200" });
  });

  it("posts to <base>/<method> with the bot token and returns Slack's answer", async () => {
    let seen: { url: string; auth: string | null; type: string | null } | undefined;
    const recording = createSlackWebClient({
      token: "xoxb-test",
      apiUrl: `${slack.url}/api/`,
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        seen = { url: String(input), auth: headers.get("authorization"), type: headers.get("content-type") };
        return fetch(input, init);
      },
    });
    const res = await recording.chat.postMessage({ channel: "C0WEB", text: "hello", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*hi*" } }] });
    expect(res.ok).toBe(true);
    expect(typeof res.ts).toBe("string");
    expect(seen).toEqual({ url: `${slack.url}/api/chat.postMessage`, auth: "Bearer xoxb-test", type: "application/x-www-form-urlencoded" });
    const call = slack.callsTo("chat.postMessage").at(-1)!;
    expect(call.body).toMatchObject({ channel: "C0WEB", text: "hello", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*hi*" } }] });
  });

  it("throws a rate-limited error carrying Retry-After on 429, without waiting or retrying", async () => {
    const before = slack.received.length;
    slack.failNext(1, { status: 429, retryAfter: 7 });
    const started = Date.now();
    const err = await failure(client().chat.update({ channel: "C0WEB", ts: "1.2", text: "x" }));
    expect(err.code).toBe(SlackErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(slack.received.length - before).toBe(1);
  });

  it("reads ok:false as a platform error and a non-200 status as an HTTP error", async () => {
    const answering = (status: number, body: string) =>
      createSlackWebClient({ token: "t", apiUrl: "https://slack.invalid/api/", fetch: async () => new Response(body, { status, headers: { "content-type": "application/json" } }) });
    const platform = await failure(answering(200, JSON.stringify({ ok: false, error: "channel_not_found" })).chat.postMessage({ channel: "C0", text: "x" }));
    expect(platform.code).toBe(SlackErrorCode.PlatformError);
    expect(platform.data?.error).toBe("channel_not_found");
    const notJson = await failure(answering(200, "<html>").chat.postMessage({ channel: "C0", text: "x" }));
    expect(notJson.code).toBe(SlackErrorCode.PlatformError);
    expect(notJson.data?.error).toBe("<html>");
    slack.failNext(1, { status: 500 });
    const http = await failure(client().chat.postMessage({ channel: "C0WEB", text: "x" }));
    expect(http.code).toBe(SlackErrorCode.HTTPError);
    expect(http.statusCode).toBe(500);
    const redirect = await failure(answering(302, "").chat.postMessage({ channel: "C0", text: "x" }));
    expect(redirect.code).toBe(SlackErrorCode.HTTPError);
  });

  it("gives up on a call Slack does not answer within the timeout (a request error: it may have taken effect)", async () => {
    slack.hang(true);
    try {
      const started = Date.now();
      const err = await failure(client(300).chat.postMessage({ channel: "C0WEB", text: "x" }));
      expect(err.code).toBe(SlackErrorCode.RequestError);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      slack.hang(false);
    }
  });
});
