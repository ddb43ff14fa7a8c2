// Organisation tables (issue 3): teams, members, enrolment invites, and local calendar corrections.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** An inspection team (检查小组) or the coordinators' group, with its chat destination. */
export const teams = sqliteTable(
  "teams",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** GB/T 2260 code of the area covered: 000000 whole country, 510000 a province, 510100 a city … */
    regionCode: text("region_code").notNull(),
    /** JSON array of FOCUS_AREAS; empty = all. */
    focusAreas: text("focus_areas").notNull().default("[]"),
    /** JSON array of violation types; empty = all. */
    violationTypes: text("violation_types").notNull().default("[]"),
    /** The coordinators' destination: unrouted leads and final escalations go here. */
    isCoordinators: integer("is_coordinators", { mode: "boolean" }).notNull().default(false),
    /** telegram | slack | feishu | dingtalk | wecom | console */
    platform: text("platform").notNull(),
    /** Telegram group id, Slack channel id, Feishu chat_id (oc_…), DingTalk openConversationId, WeCom chatid. */
    chatId: text("chat_id").notNull(),
    locale: text("locale").notNull().default("zh-CN"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("teams_name_uq").on(t.name), index("teams_region_idx").on(t.regionCode)],
);

/** A staff member. Chat identities are bound only by redeeming an invite, never by display name. */
export const members = sqliteTable(
  "members",
  {
    id: text("id").primaryKey(),
    displayName: text("display_name").notNull(),
    /** inspector | team_lead | coordinator | finance | contact (a campaign unit's contact, see unit_id) */
    role: text("role").notNull(),
    teamId: text("team_id").references(() => teams.id),
    telegramUserId: text("telegram_user_id"),
    slackUserId: text("slack_user_id"),
    /** Feishu/Lark open_id (ou_…) of the member for this app. */
    feishuUserId: text("feishu_user_id"),
    /** DingTalk userId (staffId) in the organisation. */
    dingtalkUserId: text("dingtalk_user_id"),
    /** WeCom UserID in the corp. */
    wecomUserId: text("wecom_user_id"),
    locale: text("locale").notNull().default("zh-CN"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** Open leads assigned to this member, kept by triggers on leads (routing reads it, never counts). */
    openLeads: integer("open_leads").notNull().default(0),
    /** For role `contact`: the campaign unit (see `units`) this person answers reminders for. */
    unitId: text("unit_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("members_telegram_uq").on(t.telegramUserId).where(sql`telegram_user_id IS NOT NULL`),
    uniqueIndex("members_slack_uq").on(t.slackUserId).where(sql`slack_user_id IS NOT NULL`),
    uniqueIndex("members_feishu_uq").on(t.feishuUserId).where(sql`feishu_user_id IS NOT NULL`),
    uniqueIndex("members_dingtalk_uq").on(t.dingtalkUserId).where(sql`dingtalk_user_id IS NOT NULL`),
    uniqueIndex("members_wecom_uq").on(t.wecomUserId).where(sql`wecom_user_id IS NOT NULL`),
    index("members_team_idx").on(t.teamId),
    index("members_unit_idx").on(t.unitId).where(sql`unit_id IS NOT NULL`),
  ],
);

/** One-time enrolment codes; only their HMAC is stored. */
export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    codeHash: text("code_hash").notNull(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    redeemedAt: integer("redeemed_at"),
    /** telegram | slack | feishu | dingtalk | wecom */
    redeemedOn: text("redeemed_on"),
    /** Issued by an operator for a member's account on their other platform (never moves a binding). */
    additionalAccount: integer("additional_account", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [uniqueIndex("invites_code_uq").on(t.codeHash), index("invites_member_idx").on(t.memberId, t.expiresAt).where(sql`redeemed_at IS NULL`)],
);

/** Extra calendar data (future years, local corrections) on top of the shipped official calendar. */
export const calendarDays = sqliteTable("calendar_days", {
  date: text("date").primaryKey(),
  /** holiday | workday */
  kind: text("kind").notNull(),
  note: text("note"),
});

export type TeamRow = typeof teams.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
