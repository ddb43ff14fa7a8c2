// The environment, parsed once at the entry (src/node.ts, src/worker.ts). A wrong or missing value stops
// start-up with a message naming the variable; nothing else reads process.env or Worker bindings.
import { z } from "zod";
import { LOCALES } from "./core/report-input";
import { PAYOUT_METHODS } from "./core/rewards/claim-input";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const configSchema = z.object({
  APP_ENV: z.enum(["development", "test", "production"], { error: "must be development, test or production" }).default("development"),
  PORT: int(0, 65535).default(8787),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:|https?:|wss?:)/, { error: "must be a libSQL URL (file:, libsql:, http(s):, ws(s):)" })
    .default("file:./data/fundwatch.db"),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  PUBLIC_BASE_URL: z.url({ error: "must be an absolute URL such as https://fundwatch.example.org" }).optional(),
  DEFAULT_LOCALE: z.enum(LOCALES, { error: `must be one of ${LOCALES.join(", ")}` }).default("zh-CN"),
  ENCRYPTION_KEYS: z.string().min(1).optional(),
  HASH_KEY: z.string().min(1).optional(),
  SIGNING_KEY: z.string().min(1).optional(),
  LOG_CHAIN_KEY: z.string().min(1).optional(),
  SECRETS_FILE: z.string().min(1).default("./data/dev-secrets.json"),
  MAX_ATTACHMENT_BYTES: int(1024, 50 * 1024 * 1024).default(10 * 1024 * 1024),
  MAX_ATTACHMENTS: int(0, 20).default(5),
  /** Campaign documents (self-inspection reports, statistics tables) uploaded on a unit page. */
  MAX_SUBMISSION_FILE_BYTES: int(1024, 100 * 1024 * 1024).default(20 * 1024 * 1024),
  MAX_SUBMISSION_FILES: int(1, 20).default(5),
  /**
   * Most lead-ledger rows one statistics download from the workspace may hold; a larger scope is refused
   * in words (narrow it, or use the CLI). Workers have 128 MB: wrangler.toml sets 10,000 there.
   */
  STATISTICS_EXPORT_MAX_ROWS: int(100, 100_000).default(100_000),
  /** Upload bytes held in memory at once; further uploads wait their turn (one is always let in, however large). */
  UPLOAD_BUFFER_BYTES: int(1024 * 1024, 16 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /** A request body that sends nothing for this long while the app waits for it is ended with 408. */
  BODY_IDLE_TIMEOUT_MS: int(100, 300_000).default(10_000),
  RECEIPT_LOOKUP_MIN_MS: int(0, 5000).default(400),
  RECEIPT_FAILURES_PER_WINDOW: int(1, 1000).default(10),
  RECEIPT_FAILURE_WINDOW_MINUTES: int(1, 24 * 60).default(15),
  /** Receipt lookups of any kind (code or receipt cookie, hit or miss) per client in that window. */
  RECEIPT_LOOKUPS_PER_WINDOW: int(1, 100_000).default(120),
  REPORTS_PER_HOUR: int(1, 10000).default(20),
  MESSAGES_PER_REPORT_PER_HOUR: int(1, 1000).default(10),
  MESSAGES_PER_CLIENT_PER_HOUR: int(1, 10000).default(30),
  EVIDENCE_UPLOADS_PER_REPORT_PER_DAY: int(1, 1000).default(10),
  EVIDENCE_UPLOADS_PER_CLIENT_PER_HOUR: int(1, 10000).default(20),
  TRUST_PROXY: bool.default(false),
  /** Proxies in front of the app that each append to X-Forwarded-For; the client is the Nth entry from the right. */
  TRUST_PROXY_HOPS: int(1, 10).default(1),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"], { error: "must be debug, info, warn, error or silent" }).default("info"),
  CRON_SCHEDULE: z.string().min(1).default("* * * * *"),
  /** Days sent and failed chat messages stay in the outbox before the tick deletes them. */
  OUTBOX_RETENTION_DAYS: int(1, 3650).default(30),
  /** How rewards may be paid (comma list of bank, alipay, wechat); a claim offers these. */
  REWARD_PAYOUT_METHODS: z
    .string()
    .default("bank")
    .transform((v) => [...new Set(v.split(",").map((m) => m.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(PAYOUT_METHODS, { error: `each must be one of ${PAYOUT_METHODS.join(", ")}` })).min(1, { error: "must name at least one method" })),
  /** Campaigns: a unit nudged with /nudge is not nudged again for this many hours. */
  CAMPAIGN_NUDGE_COOLDOWN_HOURS: int(0, 168).default(4),
  /** Timeout of each chat platform call (ms); kept well under the 60 s delivery claim lease. */
  CHAT_CALL_TIMEOUT_MS: int(1000, 30_000).default(10_000),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, { error: "must look like 123456:ABC-DEF… (from @BotFather)" }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, { error: "must be 16–256 characters of A-Z, a-z, 0-9, _ and -" }).optional(),
  TELEGRAM_API_ROOT: z.url({ error: "must be an absolute URL" }).default("https://api.telegram.org").transform((u) => u.replace(/\/+$/, "")),
  TELEGRAM_POLLING: bool.default(false),
  /** The bot's @username without "@": lets the bot work without ever calling getMe on a request. */
  TELEGRAM_BOT_USERNAME: z
    .string()
    .transform((v) => v.replace(/^@/, ""))
    .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, { error: "must be the bot's username, e.g. fundwatch_bot" }))
    .optional(),
  SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", { error: "must be a bot token (xoxb-…)" }).optional(),
  SLACK_SIGNING_SECRET: z.string().min(16, { error: "must be the app's signing secret" }).optional(),
  SLACK_API_URL: z.url({ error: "must be an absolute URL" }).default("https://slack.com/api/"),
  SLACK_BOT_ID: z.string().optional(),
  SLACK_BOT_USER_ID: z.string().optional(),
  // Feishu/Lark custom app (src/chat/feishu): credentials, and the event subscription's token and Encrypt Key.
  FEISHU_APP_ID: z.string().regex(/^cli_[A-Za-z0-9]+$/, { error: "must be the app's App ID (cli_…)" }).optional(),
  FEISHU_APP_SECRET: z.string().min(16, { error: "must be the app's App Secret" }).optional(),
  FEISHU_VERIFICATION_TOKEN: z.string().min(8, { error: "must be the Verification Token of the app's event subscription" }).optional(),
  FEISHU_ENCRYPT_KEY: z.string().min(8, { error: "must be the Encrypt Key of the app's event subscription" }).optional(),
  /** https://open.feishu.cn (Feishu) or https://open.larksuite.com (Lark); tests point it at a fake. */
  FEISHU_API_BASE: z.url({ error: "must be an absolute URL" }).default("https://open.feishu.cn").transform((u) => u.replace(/\/+$/, "")),
  // DingTalk app robot (src/chat/dingtalk).
  DINGTALK_CLIENT_ID: z.string().min(1).optional(),
  DINGTALK_CLIENT_SECRET: z.string().min(16, { error: "must be the app's Client Secret (AppSecret)" }).optional(),
  DINGTALK_ROBOT_CODE: z.string().min(1).optional(),
  DINGTALK_API_BASE: z.url({ error: "must be an absolute URL" }).default("https://api.dingtalk.com").transform((u) => u.replace(/\/+$/, "")),
  DINGTALK_OAPI_BASE: z.url({ error: "must be an absolute URL" }).default("https://oapi.dingtalk.com").transform((u) => u.replace(/\/+$/, "")),
  /** The FundWatch interactive card template (docs/dingtalk/); without it cards go out as markdown without buttons. */
  DINGTALK_CARD_TEMPLATE_ID: z.string().min(1).max(128).optional(),
  // WeCom self-built app (src/chat/wecom).
  WECOM_CORP_ID: z.string().min(1).optional(),
  WECOM_AGENT_ID: z.string().regex(/^\d+$/, { error: "must be the app's AgentId (digits)" }).optional(),
  WECOM_SECRET: z.string().min(16, { error: "must be the app's Secret" }).optional(),
  WECOM_TOKEN: z.string().min(1).optional(),
  WECOM_ENCODING_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, { error: "must be the 43-character EncodingAESKey" }).optional(),
  WECOM_API_BASE: z.url({ error: "must be an absolute URL" }).default("https://qyapi.weixin.qq.com").transform((u) => u.replace(/\/+$/, "")),
  ORG_SEED_FILE: z.string().min(1).optional(),
  LEAD_ACK_WORKING_HOURS: z.coerce.number({ error: "must be a number" }).positive({ error: "must be positive" }).max(200).default(4),
  LEAD_ACCEPT_WORKING_DAYS: int(1, 365).default(15),
  LEAD_FINISH_WORKING_DAYS: int(1, 365).default(30),
  ESCALATION_STEP_WORKING_HOURS: z.coerce.number({ error: "must be a number" }).positive({ error: "must be positive" }).max(200).default(4),
  WORKING_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, { error: "must look like 09:00-17:30" })
    .refine((v) => v.slice(0, 5) < v.slice(6), { error: "must end after it starts" })
    .default("09:00-17:30"),
  CLUSTER_WINDOW_DAYS: int(1, 365).default(30),
  // The public pages' official framing (src/http/pages/site.ts): who runs this service, how to reach
  // them, on what legal basis. The defaults are a demo authority, plainly labelled as such.
  /** The issuing authority in Chinese: zh-CN pages speak in its name (title, header, receipt). */
  AUTHORITY_NAME_ZH: z.string().trim().min(2).max(60).default("示例市医疗保障局"),
  AUTHORITY_NAME_EN: z.string().trim().min(2).max(120).default("Example City Healthcare Security Administration"),
  /** Emblem or logo: a same-origin path or a data:image URL (the pages' CSP allows no other images); unset = a built-in neutral emblem. */
  AUTHORITY_EMBLEM_URL: z
    .string()
    .regex(/^(\/(?!\/)[^\s"'<>]*|data:image\/(png|svg\+xml|jpeg|webp);base64,[A-Za-z0-9+/=]+)$/, { error: "must be a path on this site (/logo.png) or a data:image/…;base64 URL" })
    .optional(),
  /** The complaints hotline shown on every page (12393 is the national medical-security hotline). */
  HOTLINE: z.string().regex(/^[0-9 +()-]{3,30}$/, { error: "must be a phone number (digits, spaces, + ( ) -)" }).default("12393"),
  OFFICE_HOURS_ZH: z.string().trim().min(1).max(80).default("工作日 9:00–17:30（法定节假日除外）"),
  OFFICE_HOURS_EN: z.string().trim().min(1).max(120).default("Working days 9:00–17:30 (except public holidays)"),
  /**
   * Legal basis shown in the footer and the 举报须知: entries separated by ";", each
   * "中文名称|English name|https://link" (the link may be left out).
   */
  LEGAL_BASIS: z
    .string()
    .default(
      "《医疗保障基金使用监督管理条例》|Regulations on the Supervision and Administration of the Use of Medical Security Funds|https://www.gov.cn/zhengce/content/2021-02/19/content_5587668.htm;《违法违规使用医疗保障基金举报奖励办法》（2022）|Measures on Rewards for Reporting Illegal Use of Medical Security Funds (2022)",
    )
    .transform((v, ctx) => {
      const entries = v.split(";").map((e) => e.trim()).filter(Boolean).map((e) => e.split("|").map((p) => p.trim()));
      for (const e of entries) {
        if (e.length < 2 || e.length > 3 || !e[0] || !e[1] || (e[2] !== undefined && !/^https?:\/\/[^\s"'<>]+$/.test(e[2]))) {
          ctx.addIssue({ code: "custom", message: 'each entry must be "中文名称|English name|https://link" (link optional)' });
          return z.NEVER;
        }
      }
      return entries.map(([zh, en, url]) => ({ zh: zh!, en: en!, ...(url ? { url } : {}) }));
    }),
  /** Footer lines such as the ICP and public-security filing numbers (备案号), separated by "|". Shown as given, in both languages. */
  FOOTER_LINES: z
    .string()
    .default("演示站点：部署时请在 FOOTER_LINES 中填写 ICP 备案号与公安机关联网备案号")
    .transform((v) => v.split("|").map((l) => l.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(120, { error: "each line must be at most 120 characters" })).max(5, { error: "at most 5 lines" })),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an environment record; throws ConfigError listing every bad variable by name. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${String(i.path[0] ?? "?")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const config = result.data;
  const chatProblems: string[] = [];
  if (config.TELEGRAM_BOT_TOKEN && !config.TELEGRAM_POLLING && !config.TELEGRAM_WEBHOOK_SECRET)
    chatProblems.push("  TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_BOT_TOKEN (webhooks are verified by it), or set TELEGRAM_POLLING=true");
  if (config.SLACK_BOT_TOKEN && !config.SLACK_SIGNING_SECRET) chatProblems.push("  SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (Slack requests are verified by it)");
  chatProblems.push(...platformProblems(config));
  if (chatProblems.length) throw new ConfigError(`invalid configuration:\n${chatProblems.join("\n")}`);
  if (config.APP_ENV === "production") {
    const missing = (["ENCRYPTION_KEYS", "HASH_KEY", "SIGNING_KEY"] as const).filter((k) => !config[k]);
    if (missing.length)
      throw new ConfigError(`invalid configuration:\n${missing.map((k) => `  ${k}: required when APP_ENV=production (generate with \`npm run keys\`)`).join("\n")}`);
  }
  return config;
}

/**
 * A platform is on when its first variable is set; then the others it needs must be set too (incoming
 * requests are verified by them). Without its first variable the platform's chats go to the console.
 */
const PLATFORM_REQUIREMENTS: { platform: string; on: keyof Config; needs: (keyof Config)[]; why: string }[] = [
  { platform: "Feishu", on: "FEISHU_APP_ID", needs: ["FEISHU_APP_SECRET", "FEISHU_VERIFICATION_TOKEN", "FEISHU_ENCRYPT_KEY"], why: "callbacks are decrypted and their signatures checked with them" },
  { platform: "DingTalk", on: "DINGTALK_CLIENT_ID", needs: ["DINGTALK_CLIENT_SECRET", "DINGTALK_ROBOT_CODE"], why: "callbacks are verified with the secret" },
  { platform: "WeCom", on: "WECOM_CORP_ID", needs: ["WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY"], why: "callbacks are verified and decrypted with them" },
];

function platformProblems(config: Config): string[] {
  return PLATFORM_REQUIREMENTS.flatMap((r) => (config[r.on] ? r.needs.filter((k) => !config[k]).map((k) => `  ${k}: required with ${r.on} (${r.platform}: ${r.why})`) : []));
}

/** Largest unit-page upload accepted: every document at its limit plus room for the form fields. */
export function maxSubmissionBodyBytes(config: Config): number {
  return config.MAX_SUBMISSION_FILES * config.MAX_SUBMISSION_FILE_BYTES + 1024 * 1024;
}

/** Largest request body accepted: every attachment at its limit plus room for the form fields. */
export function maxBodyBytes(config: Config): number {
  return config.MAX_ATTACHMENTS * config.MAX_ATTACHMENT_BYTES + 1024 * 1024;
}
