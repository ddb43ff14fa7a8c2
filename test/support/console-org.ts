// A small organisation whose chats are the console: one Chaoyang (Beijing) team with its lead and a
// coordinators' team, for tests about pages and files rather than chat delivery.
import type { ServiceDeps } from "../../src/services/deps";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";

export async function importChaoyangConsoleOrg(deps: ServiceDeps) {
  const org = orgFileSchema.parse({
    teams: [
      { name: "朝阳检查组", regionCode: "110105", platform: "console", chatId: "cy" },
      { name: "协调组", regionCode: "000000", platform: "console", chatId: "coord", coordinators: true },
    ],
    members: [
      { name: "王检查", role: "team_lead", team: "朝阳检查组" },
      { name: "陈协调", role: "coordinator", team: "协调组" },
    ],
  });
  return importOrganisation(deps, org, { type: "system", platform: "cli" });
}
