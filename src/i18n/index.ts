// Translations: t(locale, key, params) over locales/*.json, imported statically so the same code runs on
// Node and in Workers (no filesystem reads at run time).
import en from "../../locales/en.json";
import zhCN from "../../locales/zh-CN.json";
import { LOCALES, type Locale } from "../core/report-input";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = "", out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}

export const CATALOGS: Record<Locale, Map<string, string>> = {
  "zh-CN": flatten(zhCN as Tree),
  en: flatten(en as Tree),
};

export type Params = Record<string, string | number>;

/** The text for `key` in `locale`, with `{name}` placeholders filled. Falls back to en, then the key. */
export function t(locale: Locale, key: string, params?: Params): string {
  const template = CATALOGS[locale].get(key) ?? CATALOGS.en.get(key) ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

const PLURAL_RULES: Record<Locale, Intl.PluralRules> = { "zh-CN": new Intl.PluralRules("zh-CN"), en: new Intl.PluralRules("en") };

/**
 * The text for `count` of something: `key.one`, `key.other` (… as the language's plural rules pick;
 * Chinese has only `other`), with `{count}` filled. "1 file", "2 files"; "1 个文件".
 */
export function tn(locale: Locale, key: string, count: number, params?: Params): string {
  const category = PLURAL_RULES[locale].select(count);
  const catalog = CATALOGS[locale].has(`${key}.${category}`) || CATALOGS[locale].has(`${key}.other`) ? CATALOGS[locale] : CATALOGS.en;
  const chosen = catalog.has(`${key}.${category}`) ? `${key}.${category}` : `${key}.other`;
  return t(locale, chosen, { ...params, count });
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** Picks zh-CN or en from an Accept-Language header; `fallback` when neither is asked for. */
export function negotiateLocale(acceptLanguage: string | undefined | null, fallback: Locale): Locale {
  if (!acceptLanguage) return fallback;
  const ranked = acceptLanguage
    .split(",")
    .map((part) => {
      const [tag, ...rest] = part.trim().split(";");
      const q = rest.find((p) => p.trim().startsWith("q="));
      return { tag: (tag ?? "").toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith("zh")) return "zh-CN";
    if (tag.startsWith("en")) return "en";
  }
  return fallback;
}
