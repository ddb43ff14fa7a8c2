// `npm run admin -- login <member-id>`: an operator's sign-in link to the staff workspace for one member
// (the way in for someone without a chat account yet). The link is the command's last line; an unknown
// or deactivated member is refused in words on stderr with a non-zero exit.
import type { ServiceDeps } from "../../src/services/deps";
import { AppError } from "../../src/services/errors";
import { t } from "../../src/i18n";
import { issueSignInLink } from "../../src/services/workspace/sign-in-links";

export const LOGIN_USAGE = "login <member-id>";

/**
 * Issues the link and returns it (the caller prints it last, after anything delivery prints); the lines
 * before it say whom it signs in and until when. `fail` prints to stderr and exits non-zero.
 */
export async function loginCommand(deps: ServiceDeps, args: string[], fail: (message: string) => never): Promise<string> {
  const memberId = args[0];
  if (!memberId || memberId.startsWith("--")) fail(`usage: ${LOGIN_USAGE} (member ids: npm run admin -- members)`);
  let issued;
  try {
    issued = await issueSignInLink(deps, { memberId, via: "cli", actor: { type: "system", platform: "cli" } });
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") fail(`no member ${memberId}: \`npm run admin -- members\` lists them`);
    if (err instanceof AppError && err.options.details?.reason === "member_inactive")
      fail(`${String(err.options.params?.name ?? memberId)} is deactivated and cannot sign in: \`npm run admin -- invite ${memberId}\` re-enrols them first`);
    throw err;
  }
  // Without a dedupe key every call issues a fresh link; "replayed" cannot happen here.
  if (issued.status !== "issued") fail("no sign-in link issued");
  const { member } = issued;
  console.log(`sign-in link for ${member.displayName} (${t("en", member.role === "contact" ? "campaign.role_contact" : `chat.role.${member.role}`)}), valid once until ${issued.expiresAt.toISOString()}; give it to them privately:`);
  return issued.url;
}
