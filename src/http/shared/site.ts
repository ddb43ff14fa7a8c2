// The installation's official framing for the public pages (authority, emblem, hotline, hours, legal
// basis, filing lines), read from the parsed config once and shared by every page of that process.
import type { Config } from "../../config";
import type { Locale } from "../../core/report-input";

export interface LegalBasisLink {
  zh: string;
  en: string;
  url?: string;
}

export interface SiteFrame {
  authority: Record<Locale, string>;
  /** A same-origin path or data: URL; null = the built-in neutral emblem. */
  emblemUrl: string | null;
  hotline: string;
  officeHours: Record<Locale, string>;
  legalBasis: LegalBasisLink[];
  footerLines: string[];
}

type FrameConfig = Pick<
  Config,
  "AUTHORITY_NAME_ZH" | "AUTHORITY_NAME_EN" | "AUTHORITY_EMBLEM_URL" | "HOTLINE" | "OFFICE_HOURS_ZH" | "OFFICE_HOURS_EN" | "LEGAL_BASIS" | "FOOTER_LINES"
>;

const frames = new WeakMap<object, SiteFrame>();

export function siteFrame(config: FrameConfig): SiteFrame {
  let frame = frames.get(config);
  if (!frame) {
    frame = {
      authority: { "zh-CN": config.AUTHORITY_NAME_ZH, en: config.AUTHORITY_NAME_EN },
      emblemUrl: config.AUTHORITY_EMBLEM_URL ?? null,
      hotline: config.HOTLINE,
      officeHours: { "zh-CN": config.OFFICE_HOURS_ZH, en: config.OFFICE_HOURS_EN },
      legalBasis: config.LEGAL_BASIS,
      footerLines: config.FOOTER_LINES,
    };
    frames.set(config, frame);
  }
  return frame;
}

/** The frame of a page rendered without one (staff pages, error pages before config): the demo defaults. */
export const DEMO_FRAME: SiteFrame = {
  authority: { "zh-CN": "示例市医疗保障局", en: "Example City Healthcare Security Administration" },
  emblemUrl: null,
  hotline: "12393",
  officeHours: { "zh-CN": "工作日 9:00–17:30（法定节假日除外）", en: "Working days 9:00–17:30 (except public holidays)" },
  legalBasis: [],
  footerLines: [],
};

/** An internal link that keeps the page's language (also without cookies). */
export function localHref(locale: Locale, path: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}lang=${locale}`;
}
