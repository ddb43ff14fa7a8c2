// Signing in and out of the workspace. GET /staff/signin?t=… shows a confirmation (it spends nothing, so
// a chat's link preview cannot burn the link); its form POSTs the token, which spends the link, opens a
// session, sets the cookie and redirects (303) to /staff. A used, expired or unknown link answers 410.
// POST /staff/signout ends the session and clears the cookie.
import { Hono } from "hono";
import { peekSignInLink, redeemSignInLink } from "../../../services/workspace/sign-in-links";
import { endStaffSession } from "../../../services/workspace/sessions";
import { readForm } from "../../body";
import type { AppEnv } from "../../context";
import { clearSessionCookie, readSessionCookie, setSessionCookie } from "./session";
import { confirmSignInResponse, linkRefusedResponse, signInHelpResponse } from "./sign-in-pages";

export function createSignInRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/signin", async (c) => {
    const token = c.req.query("t");
    if (token === undefined) return signInHelpResponse(c, { status: 200, signedOut: c.req.query("signed_out") === "1" });
    const member = await peekSignInLink(c.var.deps, token);
    if (!member) return linkRefusedResponse(c);
    return confirmSignInResponse(c, { token, name: member.displayName });
  });

  routes.post("/signin", async (c) => {
    const { fields } = await readForm(c);
    const opened = await redeemSignInLink(c.var.deps, { token: fields.t, previousSessionToken: readSessionCookie(c) ?? null });
    if (!opened) return linkRefusedResponse(c);
    setSessionCookie(c, opened.sessionToken);
    c.header("Cache-Control", "no-store");
    return c.redirect("/staff", 303);
  });

  routes.post("/signout", async (c) => {
    const token = readSessionCookie(c);
    if (token) await endStaffSession(c.var.deps, { token });
    clearSessionCookie(c);
    c.header("Cache-Control", "no-store");
    return c.redirect("/staff/signin?signed_out=1", 303);
  });

  return routes;
}
