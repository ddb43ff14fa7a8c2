// Every translation key is one src can ask for (scripts/unused-locale-keys.ts): dead text is not shipped
// in the Worker bundle twice over (both languages), and a key renamed in code but not in the catalogues
// shows up here.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findUnusedLocaleKeys } from "../../scripts/unused-locale-keys";

describe("translation keys", () => {
  it("are all reachable from src", () => {
    expect(findUnusedLocaleKeys(process.cwd())).toEqual([]);
  });

  it("count as used when written out, built from a fixed head or a quoted prefix, or as a plural form; otherwise not", () => {
    const root = mkdtempSync(join(tmpdir(), "fw-locale-keys-"));
    try {
      mkdirSync(join(root, "locales"));
      mkdirSync(join(root, "src", "pages"), { recursive: true });
      const catalogue = { a: { written: "x", dead: "x", files: { one: "x", other: "x" } }, status: { open: "x" }, page: { form: { title: "x" } } };
      writeFileSync(join(root, "locales", "en.json"), JSON.stringify(catalogue));
      writeFileSync(
        join(root, "src", "pages", "x.tsx"),
        'const K = "page.form";\nt(l, "a.written"); tn(l, "a.files", 2); t(l, `status.${s}`); t(l, `${K}.title`); // a.dead is only named in a comment\n',
      );
      expect(findUnusedLocaleKeys(root)).toEqual(["a.dead"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
