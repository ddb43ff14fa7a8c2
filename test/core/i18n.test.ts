import { describe, expect, it } from "vitest";
import { VIOLATION_SUBJECTS, VIOLATION_TYPES } from "../../src/core/taxonomy";
import { REPORT_OUTCOMES, REPORT_STATUSES } from "../../src/core/report-status";
import { CATALOGS, negotiateLocale, t } from "../../src/i18n";

describe("translations", () => {
  it("have the same keys in zh-CN and en", () => {
    expect([...CATALOGS["zh-CN"].keys()].sort()).toEqual([...CATALOGS.en.keys()].sort());
  });

  it("label every subject, type, status and outcome in both languages", () => {
    const keys = [
      ...VIOLATION_SUBJECTS.map((s) => `taxonomy.subject.${s}`),
      ...VIOLATION_TYPES.map((s) => `taxonomy.type.${s}`),
      ...REPORT_STATUSES.map((s) => `report_status.${s}`),
      ...REPORT_OUTCOMES.map((s) => `report_outcome.${s}`),
    ];
    for (const key of keys) {
      expect(CATALOGS["zh-CN"].has(key), key).toBe(true);
      expect(CATALOGS.en.has(key), key).toBe(true);
    }
  });

  it("fills placeholders", () => {
    expect(t("en", "validation.too_long", { max: 50 })).toBe("Too long: at most 50 characters.");
    expect(t("zh-CN", "validation.too_long", { max: 50 })).toBe("内容过长，最多 50 个字符。");
  });

  it("negotiates zh-CN or en from Accept-Language", () => {
    expect(negotiateLocale("en-US,en;q=0.9", "zh-CN")).toBe("en");
    expect(negotiateLocale("zh-TW,zh;q=0.9,en;q=0.8", "en")).toBe("zh-CN");
    expect(negotiateLocale("fr-FR", "zh-CN")).toBe("zh-CN");
    expect(negotiateLocale("fr;q=1,en;q=0.5", "zh-CN")).toBe("en");
    expect(negotiateLocale(undefined, "en")).toBe("en");
  });
});
