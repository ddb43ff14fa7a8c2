// Workers bundle only: Bolt imports Socket Mode (and through it undici's Node-only WebSocket and
// sqlite cache) even when, as here, requests arrive over HTTP. wrangler.toml aliases the package to
// this stub so the Worker builds; Socket Mode is never used on Workers.
export class SocketModeClient {
  constructor() {
    throw new Error("Socket Mode is not available on Workers; FundWatch receives Slack over HTTP (/webhooks/slack)");
  }
}
export const LogLevel = { ERROR: "error", WARN: "warn", INFO: "info", DEBUG: "debug" };
export default { SocketModeClient, LogLevel };
