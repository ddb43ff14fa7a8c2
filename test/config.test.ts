import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config";
import { generateKeyMaterial, importKeyRing } from "../src/security/keys";
import { decryptText, encryptText } from "../src/security/cipher";

describe("configuration", () => {
  it("has working defaults for a local start", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ PORT: 8787, DATABASE_URL: "file:./data/fundwatch.db", DEFAULT_LOCALE: "zh-CN", APP_ENV: "development" });
  });

  it("names every bad variable at once", () => {
    expect(() => parseConfig({ PORT: "70000", DEFAULT_LOCALE: "fr", TRUST_PROXY: "perhaps" })).toThrow(ConfigError);
    try {
      parseConfig({ PORT: "70000", DEFAULT_LOCALE: "fr", TRUST_PROXY: "perhaps" });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT: must be at most 65535/);
      expect((err as Error).message).toMatch(/DEFAULT_LOCALE: must be one of zh-CN, en/);
      expect((err as Error).message).toMatch(/TRUST_PROXY: must be true or false/);
    }
  });

  it("requires real keys in production", () => {
    expect(() => parseConfig({ APP_ENV: "production" })).toThrow(/ENCRYPTION_KEYS: required when APP_ENV=production/);
  });
});

describe("key rotation", () => {
  it("decrypts old data after a new key is put first", async () => {
    const old = await generateKeyMaterial("k1");
    const fresh = await generateKeyMaterial("k2");
    const before = await importKeyRing(old);
    const sealed = await encryptText(before, "13800138000", "report:x:reporter");
    expect(sealed.startsWith("v1.k1.")).toBe(true);
    const after = await importKeyRing({ ...old, encryptionKeys: `${fresh.encryptionKeys},${old.encryptionKeys}` });
    expect(after.activeEncryptionKeyId).toBe("k2");
    expect(await decryptText(after, sealed, "report:x:reporter")).toBe("13800138000");
    expect((await encryptText(after, "x", "c")).startsWith("v1.k2.")).toBe(true);
  });
});
