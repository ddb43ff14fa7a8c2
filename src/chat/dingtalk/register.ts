// Registers FundWatch's card callback URL with DingTalk (POST /v1.0/card/callbacks/register): cards are
// created with callbackType HTTP and this route key, and DingTalk signs each callback with the apiSecret
// given here (the app's Client Secret, which the webhook verifies). Run once per installation, and again
// when the public URL changes (`npm run admin -- dingtalk register-callback <url>`).
import { ChatDeliveryError } from "../types";
import { DEFAULT_CALLBACK_ROUTE_KEY } from "./adapter";
import { createDingtalkTokenCache } from "./token";

export interface RegisterCallbackOptions {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** Registers (or replaces) the route key's URL; returns the URL DingTalk now has. Throws ChatDeliveryError. */
export async function registerDingtalkCardCallback(options: RegisterCallbackOptions): Promise<string> {
  const doFetch = options.fetch ?? fetch;
  const tokens = createDingtalkTokenCache({ apiBase: options.apiBase, clientId: options.clientId, clientSecret: options.clientSecret, fetch: doFetch, timeoutMs: options.timeoutMs });
  const res = await doFetch(`${options.apiBase}/v1.0/card/callbacks/register`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-acs-dingtalk-access-token": await tokens.get() },
    // forceUpdate: the key belongs to this installation; a changed URL replaces the old one.
    body: JSON.stringify({ callbackRouteKey: DEFAULT_CALLBACK_ROUTE_KEY, callbackUrl: options.callbackUrl, apiSecret: options.clientSecret, forceUpdate: true }),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const body = (await res.json().catch(() => ({}))) as { success?: boolean; result?: { callbackUrl?: string }; code?: string; message?: string };
  if (!res.ok || body.success === false) throw new ChatDeliveryError(`dingtalk callbacks/register HTTP ${res.status} ${body.code ?? ""} ${body.message ?? ""}`.trim(), res.status >= 500);
  return body.result?.callbackUrl ?? options.callbackUrl;
}
