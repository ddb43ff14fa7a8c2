// The pages that are the same for everyone: home, 举报须知 (with the deadlines from config) and privacy.
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { HomePage } from "./home";
import { NoticePage, PrivacyPage } from "./info-pages";
import { DEFAULT_DEADLINE_POLICY } from "../../core/deadlines";
import { createStaticPageCache, pageBase } from "./page-kit";

export function createInfoRoutes() {
  const routes = new Hono<AppEnv>();
  const cachedPage = createStaticPageCache();
  routes.get("/", (c) => cachedPage(c, "home", () => <HomePage {...pageBase(c, "/")} />));
  routes.get("/notice", (c) => {
    const { config } = c.var.deps;
    const deadlines = { acceptWorkingDays: config.LEAD_ACCEPT_WORKING_DAYS, notifyWorkingDays: DEFAULT_DEADLINE_POLICY.notifyOpenedWorkingDays, finishWorkingDays: config.LEAD_FINISH_WORKING_DAYS };
    return cachedPage(c, "notice", () => <NoticePage {...pageBase(c, "/notice")} deadlines={deadlines} />);
  });
  routes.get("/privacy", (c) => cachedPage(c, "privacy", () => <PrivacyPage {...pageBase(c, "/privacy")} />));

  return routes;
}
