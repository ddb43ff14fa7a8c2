// `npm run admin -- dingtalk register-callback <https://host/webhooks/dingtalk>`: tells DingTalk where to
// send card button presses (HTTP mode), signed with the app's Client Secret. Needs DINGTALK_CLIENT_ID,
// DINGTALK_CLIENT_SECRET and DINGTALK_ROBOT_CODE; prints the registered URL.
import { z } from "zod";
import { registerDingtalkCardCallback } from "../../src/chat/dingtalk/register";
import { ChatDeliveryError } from "../../src/chat/types";
import type { ServiceDeps } from "../../src/services/deps";

export const DINGTALK_USAGE = "  dingtalk register-callback <https://…/webhooks/dingtalk>   where DingTalk sends card presses (once per install)\n";

export async function dingtalkCommand(deps: ServiceDeps, args: string[], fail: (message: string) => never): Promise<void> {
  const { config } = deps;
  const url = z.url({ protocol: /^https?$/ }).safeParse(args[1]);
  if (args[0] !== "register-callback" || !url.success) fail(`usage:\n${DINGTALK_USAGE}`);
  if (!config.DINGTALK_CLIENT_ID || !config.DINGTALK_CLIENT_SECRET) fail("DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET must be set (the app's credentials from the DingTalk developer console)");
  try {
    const registered = await registerDingtalkCardCallback({ apiBase: config.DINGTALK_API_BASE, clientId: config.DINGTALK_CLIENT_ID, clientSecret: config.DINGTALK_CLIENT_SECRET, callbackUrl: url.data, timeoutMs: config.CHAT_CALL_TIMEOUT_MS });
    console.log(`DingTalk sends card presses to ${registered}`);
  } catch (err) {
    if (err instanceof ChatDeliveryError) fail(err.message);
    throw err;
  }
}
