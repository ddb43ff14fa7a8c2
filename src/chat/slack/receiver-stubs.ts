// Workers bundle only (wrangler.toml [alias] "@slack/oauth", "raw-body", "path-to-regexp"): modules that
// Bolt's App imports for its built-in HTTP and Socket Mode receivers and OAuth installer. The Worker gives
// Bolt its own receiver (./receiver.ts, fed by Hono) and installs no app, so these are never called there;
// each stub says so if that ever changes.
const unavailable = (what: string) => () => {
  throw new Error(`${what} is not available on Workers: FundWatch hands Bolt its own receiver (src/chat/slack/receiver.ts)`);
};

/** @slack/oauth */
export class InstallProvider {
  constructor() {
    unavailable("Slack OAuth installation")();
  }
}
/** path-to-regexp (Bolt's custom routes) */
export const match = unavailable("Bolt's custom routes");
export const pathToRegexp = match;
/** raw-body (Bolt's HTTPReceiver body reader) */
export default unavailable("Bolt's HTTP receiver");
