// `npm run db:migrate`: applies migrations/ to DATABASE_URL (an embedded file or Turso/sqld).
import { ConfigError, parseConfig } from "../src/config";
import { applyMigrations, MIGRATIONS_DIR, openLibsqlDatabase } from "../src/db/libsql-file";

try {
  const config = parseConfig(process.env);
  const { db, client } = await openLibsqlDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  await applyMigrations(db);
  const applied = await client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
  const target = config.DATABASE_URL.startsWith("file:") ? config.DATABASE_URL : config.DATABASE_URL.replace(/\?.*$/, "");
  console.log(`migrations from ${MIGRATIONS_DIR} applied to ${target} (${String(applied.rows[0]?.n)} in total)`);
  client.close();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
