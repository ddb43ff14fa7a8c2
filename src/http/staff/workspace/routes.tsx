// The staff workspace at /staff: sign-in and sign-out first (they need no session), then every page
// behind requireStaffSession(). Each page module exports createXRoutes(); adding one is one line here.
import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { createBatchesRoutes } from "./batches";
import { createCampaignStartRoutes } from "./campaign-start";
import { createCampaignsRoutes } from "./campaigns";
import { createLeadsRoutes } from "./leads";
import { createOverviewRoutes } from "./overview";
import { createPeopleRoutes } from "./people";
import { createRewardsRoutes } from "./rewards";
import { requireStaffSession } from "./session";
import { createStatisticsRoutes } from "./statistics";
import { createSignInRoutes } from "./sign-in";

export function createWorkspaceRoutes(): Hono<AppEnv> {
  const workspace = new Hono<AppEnv>();
  workspace.route("/", createSignInRoutes());
  workspace.use("*", requireStaffSession());
  workspace.route("/", createOverviewRoutes());
  workspace.route("/leads", createLeadsRoutes());
  workspace.route("/people", createPeopleRoutes());
  // Before the campaigns list and boards (/campaigns/:id): "new" is not a campaign id.
  workspace.route("/campaigns/new", createCampaignStartRoutes());
  workspace.route("/campaigns", createCampaignsRoutes());
  workspace.route("/rewards", createRewardsRoutes());
  workspace.route("/batches", createBatchesRoutes());
  // At the root: "/statistics.xlsx" and "/statistics.csv" are whole segments, not under "/statistics".
  workspace.route("/", createStatisticsRoutes());
  return workspace;
}
