// The configuration of a real Node server for a test: loopback on a free port, a database and secrets
// file in the test's own folder, test mode, quiet logs and no receipt-lookup delay. Tests add the
// variables their case is about.
import { join } from "node:path";

export function nodeServerEnv(dir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${join(dir, "fundwatch.db")}`,
    SECRETS_FILE: join(dir, "secrets.json"),
    APP_ENV: "test",
    LOG_LEVEL: "silent",
    RECEIPT_LOOKUP_MIN_MS: "0",
    ...env,
  };
}
