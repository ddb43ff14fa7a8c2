// The organisation: a barrel over the modules next to it, so importers outside services/ keep working —
// org-file.ts (the file's schema, roles, platforms), org-import.ts (loading it), members.ts (add,
// deactivate, find by chat account, teams), invites.ts (one-time invites that bind a chat account).
// Inside services/, import the module itself.
export { CHAT_PLATFORMS, MEMBER_ROLES, ORG_FILE_ROLES, orgFileSchema, type MemberRole, type OrgFile } from "./org-file";
export { importOrganisation, type ImportSummary } from "./org-import";
export { addMember, deactivateMember, findMemberByChatUser, listTeams } from "./members";
export { createInvite, INVITE_TTL_MS, redeemInvite } from "./invites";
