// The statistics page's charts as inline SVG strings built on the server (no client script): stacked
// columns (leads per month by source), bars and stacked bars (outcomes, campaign compliance) and share
// bars (timeliness). Pure functions of numbers and the words the caller gives: the same input gives the
// same bytes, every text is escaped, every number is finite. Each chart is role="img" with a <title> and
// <desc>, a legend in words, a pattern per series (not colour alone) and the values written as text.
import { raw } from "hono/html";

const WIDTH = 640;
const EMPTY_WIDTH = 400;
const FONT = `font-family="system-ui, sans-serif"`;
/** Dark fills: white value text on them keeps a contrast above 4.5:1. */
const FILLS = ["#1f4e79", "#a14f00", "#4d4d4d", "#6b2d86", "#2e6b30", "#8a1c1c"];
const INK = "#1a1a1a";
const MUTED = "#595959";

/** Text and attribute values made safe for XML and HTML (the five predefined entities). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** A count as drawn: negative, NaN and infinite inputs are 0 (a chart never prints NaN). */
const clean = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
/** Coordinates with two decimals, so the output is the same on every run and platform. */
const num = (n: number) => String(Math.round(n * 100) / 100);
/** An id usable in `url(#…)` and `aria-labelledby`. */
const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40) || "chart";
/** Rough width of a character at font size 1: CJK and other wide scripts about one em, Latin about half. */
const charWidth = (ch: string) => (ch.charCodeAt(0) > 0x2e80 ? 1 : 0.56);
/** Text wider than `room` units at `size` is cut with "…" (the full text stays in the row's <title> and the chart's <desc>). */
function fit(text: string, room: number, size: number): string {
  const chars = [...text];
  let width = 0;
  for (const [i, ch] of chars.entries()) {
    width += charWidth(ch) * size;
    if (width > room) return `${chars.slice(0, Math.max(1, i - 1)).join("")}…`;
  }
  return text;
}

/** The smallest 1, 2 or 5 × 10^k at or above `max` (the axis end), at least 1. */
export function niceCeiling(max: number): number {
  if (!(max > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export interface Series {
  /** The series' name (legend and each segment's tooltip). */
  name: string;
}

interface Frame {
  id: string;
  title: string;
  desc: string;
  /** The viewBox width: WIDTH unless narrower (the empty state, shown at a readable size on a phone). */
  width?: number;
  height: number;
  body: string;
  empty?: boolean;
}

/** Hatching per series index: solid, diagonal, dots, cross, vertical, horizontal. */
function patternDefs(id: string, count: number): string {
  const marks = [
    "",
    `<path d="M0 8 L8 0" stroke="#fff" stroke-width="1.5" stroke-opacity="0.55"/>`,
    `<circle cx="4" cy="4" r="1.4" fill="#fff" fill-opacity="0.6"/>`,
    `<path d="M0 0 L8 8 M0 8 L8 0" stroke="#fff" stroke-width="1" stroke-opacity="0.5"/>`,
    `<path d="M4 0 L4 8" stroke="#fff" stroke-width="1.5" stroke-opacity="0.55"/>`,
    `<path d="M0 4 L8 4" stroke="#fff" stroke-width="1.5" stroke-opacity="0.55"/>`,
  ];
  let out = "";
  for (let i = 0; i < count; i++) {
    out += `<pattern id="${id}-p${i}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${FILLS[i % FILLS.length]}"/>${marks[i % marks.length]}</pattern>`;
  }
  return `<defs>${out}</defs>`;
}

const fillOf = (id: string, i: number) => `url(#${id}-p${i})`;

/** The legend: a patterned swatch and the name of each series, left to right. */
function legend(id: string, series: readonly Series[], y: number): string {
  let x = 0;
  let out = `<g class="legend">`;
  for (const [i, s] of series.entries()) {
    const name = fit(s.name, 180, 13);
    out += `<rect x="${num(x)}" y="${num(y)}" width="14" height="14" fill="${fillOf(id, i)}"/><text x="${num(x + 20)}" y="${num(y + 12)}" font-size="13" fill="${INK}">${escapeXml(name)}</text>`;
    // Rough width of the name: CJK characters are about twice a Latin letter.
    x += 36 + [...name].reduce((w, ch) => w + charWidth(ch) * 13, 0);
  }
  return `${out}</g>`;
}

function frame(f: Frame): string {
  const id = f.id;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${f.width ?? WIDTH} ${num(f.height)}" width="100%" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" data-chart="${id}"${f.empty ? ` data-empty="true"` : ""} ${FONT}>` +
    `<title id="${id}-title">${escapeXml(f.title)}</title><desc id="${id}-desc">${escapeXml(f.desc)}</desc>${f.body}</svg>`
  );
}

/** The chart of a period with nothing to draw: its title and one sentence, no axes. */
function emptyChart(id: string, title: string, emptyText: string): string {
  // Long sentences (English) get a smaller font so they fit the narrower box.
  const size = [...emptyText].length > 40 ? 11 : 14;
  return frame({ id, title, desc: emptyText, width: EMPTY_WIDTH, height: 56, empty: true, body: `<text x="${EMPTY_WIDTH / 2}" y="34" text-anchor="middle" font-size="${size}" fill="${MUTED}">${escapeXml(emptyText)}</text>` });
}

export interface StackedColumnsInput {
  id: string;
  title: string;
  /** Shown instead of the chart when every value is 0. */
  emptyText: string;
  /** The x axis (e.g. months "2026-11"). */
  categories: readonly string[];
  series: readonly Series[];
  /** values[category][series]. */
  values: readonly (readonly number[])[];
}

/** Stacked columns: one column per category, one segment per series, the total written above it. */
export function stackedColumnsSvg(input: StackedColumnsInput): string {
  const id = safeId(input.id);
  const rows = input.categories.map((_, c) => input.series.map((_, s) => clean(input.values[c]?.[s] ?? 0)));
  const totals = rows.map((r) => r.reduce((a, b) => a + b, 0));
  const max = Math.max(0, ...totals);
  if (max === 0) return emptyChart(id, input.title, input.emptyText);
  const top = niceCeiling(max);
  const [left, right, plotTop, plotH] = [44, 8, 52, 180];
  const plotW = WIDTH - left - right;
  const slot = plotW / rows.length;
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  // At most ~12 labels on the axis: a five-year range labels every fifth month.
  const every = Math.ceil(rows.length / 12);
  let body = patternDefs(id, input.series.length) + legend(id, input.series, 4);
  // Counts: a middle tick only when it is a whole number.
  for (const tick of top % 2 === 0 ? [0, top / 2, top] : [0, top]) {
    const y = plotTop + plotH - (tick / top) * plotH;
    body += `<line x1="${left}" x2="${WIDTH - right}" y1="${num(y)}" y2="${num(y)}" stroke="#c8c8c8"/><text x="${left - 6}" y="${num(y + 4)}" text-anchor="end" font-size="11" fill="${MUTED}">${num(tick)}</text>`;
  }
  for (const [c, row] of rows.entries()) {
    const x = left + c * slot + (slot - barW) / 2;
    let y = plotTop + plotH;
    body += `<g data-category="${escapeXml(input.categories[c]!)}">`;
    for (const [s, v] of row.entries()) {
      if (v === 0) continue;
      const h = (v / top) * plotH;
      y -= h;
      body += `<rect x="${num(x)}" y="${num(y)}" width="${num(barW)}" height="${num(h)}" fill="${fillOf(id, s)}" data-series="${s}" data-value="${v}"><title>${escapeXml(`${input.categories[c]} · ${input.series[s]!.name}: ${v}`)}</title></rect>`;
    }
    body += `<text x="${num(x + barW / 2)}" y="${num(y - 4)}" text-anchor="middle" font-size="11" fill="${INK}" data-total="${totals[c]}">${totals[c]}</text>`;
    if (c % every === 0) body += `<text x="${num(x + barW / 2)}" y="${num(plotTop + plotH + 16)}" text-anchor="middle" font-size="11" fill="${INK}">${escapeXml(fit(input.categories[c]!, Math.max(slot * every - 4, 30), 11))}</text>`;
    body += `</g>`;
  }
  const desc = rows.map((row, c) => `${input.categories[c]}: ${input.series.map((s, i) => `${s.name} ${row[i]}`).join(", ")}`).join("; ");
  return frame({ id, title: input.title, desc, height: plotTop + plotH + 28, body });
}

export interface StackedRowsInput {
  id: string;
  title: string;
  emptyText: string;
  /** One bar per row (e.g. an outcome, a campaign deliverable). */
  rows: readonly { label: string; values: readonly number[] }[];
  /** One series draws a plain bar chart without a legend. */
  series: readonly Series[];
}

/** Horizontal bars, stacked when there is more than one series; each segment's value written in it when it fits, the total at the end. */
export function stackedRowsSvg(input: StackedRowsInput): string {
  const id = safeId(input.id);
  const rows = input.rows.map((r) => ({ label: r.label, values: input.series.map((_, s) => clean(r.values[s] ?? 0)) }));
  const totals = rows.map((r) => r.values.reduce((a, b) => a + b, 0));
  const max = Math.max(0, ...totals);
  if (max === 0) return emptyChart(id, input.title, input.emptyText);
  const withLegend = input.series.length > 1;
  const [labelW, right, rowH, barH] = [220, 48, 30, 20];
  const plotTop = withLegend ? 30 : 4;
  const plotW = WIDTH - labelW - right;
  let body = patternDefs(id, input.series.length) + (withLegend ? legend(id, input.series, 4) : "");
  for (const [r, row] of rows.entries()) {
    const y = plotTop + r * rowH;
    let x = labelW;
    body += `<g data-row="${escapeXml(row.label)}"><title>${escapeXml(`${row.label}: ${input.series.length > 1 ? input.series.map((s, i) => `${s.name} ${row.values[i]}`).join(", ") : totals[r]}`)}</title>`;
    body += `<text x="${labelW - 8}" y="${num(y + barH / 2 + 4)}" text-anchor="end" font-size="12" fill="${INK}">${escapeXml(fit(row.label, labelW - 12, 12))}</text>`;
    for (const [s, v] of row.values.entries()) {
      if (v === 0) continue;
      const w = (v / max) * plotW;
      body += `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${barH}" fill="${fillOf(id, s)}" data-series="${s}" data-value="${v}"/>`;
      if (withLegend && w >= 8 * String(v).length + 8) body += `<text x="${num(x + w / 2)}" y="${num(y + barH / 2 + 4)}" text-anchor="middle" font-size="11" fill="#fff">${v}</text>`;
      x += w;
    }
    body += `<text x="${num(x + 6)}" y="${num(y + barH / 2 + 4)}" font-size="12" fill="${INK}" data-total="${totals[r]}">${totals[r]}</text></g>`;
  }
  const desc = rows.map((row, r) => `${row.label}: ${input.series.length > 1 ? input.series.map((s, i) => `${s.name} ${row.values[i]}`).join(", ") : totals[r]}`).join("; ");
  return frame({ id, title: input.title, desc, height: plotTop + rows.length * rowH + 4, body });
}

export interface ShareRow {
  label: string;
  /** A ratio 0–1, or null when nothing counted. */
  share: number | null;
  /** A second line under the bar (e.g. "median 3.5 h · 90th percentile 8 h"). */
  detail?: string;
}

export interface ShareBarsInput {
  id: string;
  title: string;
  emptyText: string;
  /** Written where a share is null. */
  noneText: string;
  rows: readonly ShareRow[];
}

/** "83.3%": a ratio as a percentage with one decimal (as the figures table writes it). */
export function percentText(share: number): string {
  return `${(Math.round(clampShare(share) * 1000) / 10).toFixed(1)}%`;
}

const clampShare = (s: number) => (Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0);

/** Bars on a 0–100 % scale, the percentage written after each and a detail line below. */
export function shareBarsSvg(input: ShareBarsInput): string {
  const id = safeId(input.id);
  if (input.rows.every((r) => r.share === null || !Number.isFinite(r.share))) return emptyChart(id, input.title, input.emptyText);
  const [labelW, right, rowH, barH] = [220, 64, 46, 18];
  const plotW = WIDTH - labelW - right;
  let body = "";
  for (const [r, row] of input.rows.entries()) {
    const y = 4 + r * rowH;
    const share = row.share === null || !Number.isFinite(row.share) ? null : clampShare(row.share);
    const valueText = share === null ? input.noneText : percentText(share);
    body += `<g data-row="${escapeXml(row.label)}"><text x="${labelW - 8}" y="${num(y + barH / 2 + 4)}" text-anchor="end" font-size="12" fill="${INK}">${escapeXml(fit(row.label, labelW - 12, 12))}</text>`;
    body += `<rect x="${labelW}" y="${num(y)}" width="${plotW}" height="${barH}" fill="#ececec"/>`;
    if (share !== null && share > 0) body += `<rect x="${labelW}" y="${num(y)}" width="${num(share * plotW)}" height="${barH}" fill="${FILLS[0]}" data-share="${share}"/>`;
    body += `<text x="${WIDTH - right + 6}" y="${num(y + barH / 2 + 4)}" font-size="12" fill="${INK}">${escapeXml(valueText)}</text>`;
    if (row.detail) body += `<text x="${labelW}" y="${num(y + barH + 14)}" font-size="11" fill="${MUTED}">${escapeXml(row.detail)}</text>`;
    body += `</g>`;
  }
  const desc = input.rows.map((row) => `${row.label}: ${row.share === null || !Number.isFinite(row.share) ? input.noneText : percentText(row.share)}${row.detail ? ` (${row.detail})` : ""}`).join("; ");
  return frame({ id, title: input.title, desc, height: 4 + input.rows.length * rowH, body });
}

/** A chart string placed in a page as markup (it was built escaped), under its title in sight (the SVG's <title> is only a tooltip). */
export function Chart(props: { svg: string; caption?: string }) {
  return (
    // Focusable: on a phone the chart scrolls sideways, and a keyboard must be able to scroll it too.
    <figure class="chart-figure" tabindex={0}>
      {props.caption ? <figcaption class="chart-caption">{props.caption}</figcaption> : null}
      {raw(props.svg)}
    </figure>
  );
}
