// How a member is named wherever a person reads (cards, pages, CLI, chat): "王芳（协调员）" /
// "Wang Fang (coordinator)", from the org cache, never the member id.
import type { Locale } from "../../core/report-input";
import type { MemberRow } from "../../db/schema";
import { t } from "../../i18n";
import type { OrgSnapshot } from "./org-cache";

type Named = Pick<MemberRow, "displayName" | "role">;

/** The member's role in words; a unit's contact is named by the unit when it is known. */
export function roleLabel(member: Pick<MemberRow, "role">, locale: Locale, unitName?: string | null): string {
  if (member.role === "contact") return unitName ? t(locale, "names.contact_of", { unit: unitName }) : t(locale, "names.role.contact");
  return t(locale, `names.role.${member.role}`);
}

/** "Name (role)" in the locale's punctuation. */
export function memberWithRole(member: Named, locale: Locale, unitName?: string | null): string {
  return t(locale, "names.with_role", { name: member.displayName, role: roleLabel(member, locale, unitName) });
}

/** A member id as read by a person: the name (with role unless `bare`), or words for an id the org does not know. */
export function memberName(org: Pick<OrgSnapshot, "memberById">, memberId: string | null | undefined, locale: Locale, options: { bare?: boolean } = {}): string {
  if (!memberId) return t(locale, "names.nobody");
  const m = org.memberById.get(memberId);
  if (!m) return t(locale, "names.unknown_member");
  return options.bare ? m.displayName : memberWithRole(m, locale);
}

/**
 * Active members matching `keep`, named with role, for "ask one of: …" (at most `max`, then "and N
 * more"); empty when nobody matches.
 */
export function namesOf(org: Pick<OrgSnapshot, "memberById">, keep: (m: MemberRow) => boolean, locale: Locale, max = 5): string {
  const found = [...org.memberById.values()].filter((m) => m.active && keep(m)).sort((a, b) => a.displayName.localeCompare(b.displayName, "zh-CN"));
  const shown = found.slice(0, max).map((m) => memberWithRole(m, locale));
  if (found.length > max) shown.push(t(locale, "names.and_more", { count: found.length - max }));
  return shown.join(t(locale, "names.separator"));
}
