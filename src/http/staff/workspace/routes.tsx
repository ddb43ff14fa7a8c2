// The staff workspace at /staff: sign-in and sign-out first (they need no session), then every page
// behind requireStaffSession(). Each page module exports createXRoutes(); adding one is one line here.
import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { createBatchesRoutes } from "./batches";
import { createCampaignsRoutes } from "./campaigns";
import { createOverviewRoutes } from "./overview";
import { createPeopleRoutes } from "./people";
import { requireStaffSession } from "./session";
import { createSignInRoutes } from "./sign-in";

export function createWorkspaceRoutes(): Hono<AppEnv> {
  const workspace = new Hono<AppEnv>();
  workspace.route("/", createSignInRoutes());
  workspace.use("*", requireStaffSession());
  workspace.route("/", createOverviewRoutes());
  workspace.route("/people", createPeopleRoutes());
  workspace.route("/campaigns", createCampaignsRoutes());
  workspace.route("/batches", createBatchesRoutes());
  return workspace;
}
