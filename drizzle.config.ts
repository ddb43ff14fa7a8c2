// drizzle-kit reads this to generate SQL migrations from src/db/schema/ (one file per capability) into migrations/.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema/index.ts",
  out: "./migrations",
});
