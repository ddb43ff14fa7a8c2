// People (/staff/people): placeholder until the list lands.
import { Hono } from "hono";
import type { AppEnv } from "../../context";

export function createPeopleRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
