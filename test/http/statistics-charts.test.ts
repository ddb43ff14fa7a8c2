// The statistics page's SVG builders with literal numbers: bars proportional to their values, an empty
// state when there is nothing to draw, every text escaped, the same bytes for the same input, and (fast-check)
// any non-negative counts give well-formed SVG without NaN.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeXml, niceCeiling, percentText, shareBarsSvg, stackedColumnsSvg, stackedRowsSvg } from "../../src/http/staff/workspace/statistics-charts";

/** Checks that `svg` is well-formed XML as far as a page needs: balanced tags, quoted attributes, entities only. Returns the problem or null. */
function wellFormedProblem(svg: string): string | null {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf("<", i);
    const text = svg.slice(i, lt < 0 ? svg.length : lt);
    if (/&(?!(?:amp|lt|gt|quot|#39);)/.test(text) || text.includes(">")) return `bad text: ${text.slice(0, 40)}`;
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    if (!m) return `bad tag at ${lt}: ${svg.slice(lt, lt + 60)}`;
    if (/&(?!(?:amp|lt|gt|quot|#39);)/.test(m[3] ?? "")) return `bad attribute: ${m[3]}`;
    if (m[1]) {
      if (stack.pop() !== m[2]) return `unbalanced </${m[2]}>`;
    } else if (!m[4]) stack.push(m[2]!);
    i = tag.lastIndex;
  }
  return stack.length ? `unclosed <${stack.join("><")}>` : null;
}

const attr = (el: string, name: string) => Number(new RegExp(`\\b${name}="([^"]*)"`).exec(el)![1]);
const rects = (svg: string) => [...svg.matchAll(/<rect [^>]*data-value="[^"]*"[^>]*>/g)].map((m) => m[0]);

describe("stacked columns (leads per month by source)", () => {
  const input = {
    id: "monthly",
    title: "Leads per month",
    emptyText: "No leads in this period",
    categories: ["2026-10", "2026-11"],
    series: [{ name: "tips" }, { name: "batches" }, { name: "hotline" }],
    values: [
      [4, 2, 0],
      [1, 0, 3],
    ],
  };

  it("draws each segment with a height proportional to its value, and writes totals and month labels", () => {
    const svg = stackedColumnsSvg(input);
    expect(wellFormedProblem(svg)).toBeNull();
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="monthly-title">Leads per month</title>');
    const bars = rects(svg);
    expect(bars).toHaveLength(4);
    const perUnit = bars.map((b) => attr(b, "height") / attr(b, "data-value"));
    for (const r of perUnit) expect(r).toBeCloseTo(perUnit[0]!, 1);
    // Axis end 10 (nice ceiling of 6) over 180 px: 18 px a lead.
    expect(perUnit[0]).toBeCloseTo(18, 1);
    expect(svg).toMatch(/data-total="6">6</);
    expect(svg).toMatch(/data-total="4">4</);
    expect(svg).toContain(">2026-11</text>");
    // The legend names each series in words.
    for (const s of ["tips", "batches", "hotline"]) expect(svg).toContain(`>${s}</text>`);
    // Segments of different series are told apart by pattern, not colour alone.
    expect(svg).toContain('fill="url(#monthly-p0)"');
    expect(svg).toContain('fill="url(#monthly-p2)"');
    expect(svg).toContain("<path");
  });

  it("renders an empty state when every value is 0", () => {
    const svg = stackedColumnsSvg({ ...input, values: [[0, 0, 0], [0, 0, 0]] });
    expect(svg).toContain('data-empty="true"');
    expect(svg).toContain("No leads in this period");
    expect(rects(svg)).toHaveLength(0);
    expect(wellFormedProblem(svg)).toBeNull();
    expect(stackedColumnsSvg({ ...input, categories: [], values: [] })).toContain('data-empty="true"');
  });

  it("is deterministic", () => {
    expect(stackedColumnsSvg(input)).toBe(stackedColumnsSvg(structuredClone(input)));
  });
});

describe("bars and stacked bars (outcomes, campaign compliance)", () => {
  it("draws single-series bars proportional to the largest", () => {
    const svg = stackedRowsSvg({
      id: "outcomes",
      title: "Outcomes",
      emptyText: "none",
      series: [{ name: "leads" }],
      rows: [
        { label: "substantiated", values: [6] },
        { label: "unsubstantiated", values: [3] },
        { label: "referred", values: [0] },
      ],
    });
    expect(wellFormedProblem(svg)).toBeNull();
    const [a, b] = rects(svg);
    expect(attr(a!, "width") / attr(b!, "width")).toBeCloseTo(2, 2);
    expect(svg).toContain(">referred</text>");
    expect(svg).toMatch(/data-total="0">0</);
    // One series: no legend.
    expect(svg).not.toContain('class="legend"');
  });

  it("stacks on time, late and missing per deliverable, with the values as text", () => {
    const svg = stackedRowsSvg({
      id: "compliance",
      title: "Campaign compliance",
      emptyText: "none",
      series: [{ name: "on time" }, { name: "late" }, { name: "missing" }],
      rows: [{ label: "Monthly table", values: [5, 3, 2] }],
    });
    const segs = rects(svg);
    expect(segs.map((s) => attr(s, "data-value"))).toEqual([5, 3, 2]);
    expect(attr(segs[0]!, "width") / attr(segs[2]!, "width")).toBeCloseTo(2.5, 2);
    // Segments follow each other.
    expect(attr(segs[1]!, "x")).toBeCloseTo(attr(segs[0]!, "x") + attr(segs[0]!, "width"), 1);
    expect(svg).toContain(">on time</text>");
    expect(svg).toMatch(/>5<\/text>/);
    expect(svg).toContain("Monthly table: on time 5, late 3, missing 2");
  });

  it("cuts a label too long for its room with an ellipsis and keeps it whole in the row's title; counts get whole ticks", () => {
    const long = "Referred to discipline inspection and supervision bodies of the province";
    const svg = stackedRowsSvg({ id: "o", title: "T", emptyText: "none", series: [{ name: "n" }], rows: [{ label: long, values: [1] }, { label: "移送纪检监察机关处理的线索数量统计（全省范围内）", values: [1] }] });
    const shown = [...svg.matchAll(/text-anchor="end" font-size="12" fill="#1a1a1a">([^<]*)</g)].map((m) => m[1]!);
    expect(shown[0]!.endsWith("…")).toBe(true);
    expect(shown[0]!.length).toBeLessThan(long.length);
    expect(shown[0]!.length).toBeGreaterThan(20);
    expect(shown[1]!.endsWith("…")).toBe(true);
    expect(svg).toContain(`<title>${long}: 1</title>`);
    const one = stackedColumnsSvg({ id: "m", title: "T", emptyText: "none", categories: ["2026-10"], series: [{ name: "a" }], values: [[1]] });
    expect(one).not.toContain(">0.5<");
  });

  it("escapes every text it is given", () => {
    const evil = `<script>alert("x")</script> & 'q'`;
    const svg = stackedRowsSvg({ id: "x\"><svg onload=alert(1)>", title: evil, emptyText: evil, series: [{ name: evil }, { name: "b" }], rows: [{ label: evil, values: [1, 2] }] });
    expect(svg).not.toContain("<script>");
    expect(svg).not.toContain("onload=alert");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(wellFormedProblem(svg)).toBeNull();
    expect(escapeXml(`a<b>&"'`)).toBe("a&lt;b&gt;&amp;&quot;&#39;");
  });
});

describe("share bars (timeliness)", () => {
  it("draws each share on a 0–100 % scale with its percentage and detail, and a dash for nothing counted", () => {
    const svg = shareBarsSvg({
      id: "timeliness",
      title: "Timeliness",
      emptyText: "nothing counted",
      noneText: "—",
      rows: [
        { label: "acknowledged in time", share: 0.5, detail: "median 2 h · p90 7.5 h" },
        { label: "decided in time", share: 1 },
        { label: "closed in time", share: null },
      ],
    });
    expect(wellFormedProblem(svg)).toBeNull();
    const bars = [...svg.matchAll(/<rect [^>]*data-share="[^"]*"[^>]*>/g)].map((m) => m[0]);
    expect(bars).toHaveLength(2);
    expect(attr(bars[1]!, "width") / attr(bars[0]!, "width")).toBeCloseTo(2, 2);
    expect(svg).toContain(">50.0%</text>");
    expect(svg).toContain(">100.0%</text>");
    expect(svg).toContain(">—</text>");
    expect(svg).toContain("median 2 h · p90 7.5 h");
  });

  it("renders the empty state when no share counts", () => {
    const svg = shareBarsSvg({ id: "t", title: "T", emptyText: "nothing counted", noneText: "—", rows: [{ label: "a", share: null }] });
    expect(svg).toContain('data-empty="true"');
    expect(svg).toContain("nothing counted");
  });

  it("writes percentages with one decimal", () => {
    expect(percentText(2 / 3)).toBe("66.7%");
    expect(percentText(0)).toBe("0.0%");
    expect(niceCeiling(6)).toBe(10);
    expect(niceCeiling(101)).toBe(200);
    expect(niceCeiling(0)).toBe(1);
  });
});

describe("any non-negative counts", () => {
  const count = fc.oneof(fc.nat(1_000_000), fc.constant(0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
  const label = fc.string({ maxLength: 30 });

  it("give well-formed SVG with no NaN or Infinity, whatever the chart", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(label, fc.array(count, { minLength: 3, maxLength: 3 })), { maxLength: 61 }),
        fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 3, maxLength: 3 }),
        label,
        (rows, shares, title) => {
          const svgs = [
            stackedColumnsSvg({ id: "m", title, emptyText: "none", categories: rows.map((r) => r[0]), series: [{ name: "a" }, { name: "b" }, { name: "c" }], values: rows.map((r) => r[1]) }),
            stackedRowsSvg({ id: "r", title, emptyText: "none", series: [{ name: "a" }, { name: "b" }, { name: "c" }], rows: rows.map(([l, v]) => ({ label: l, values: v })) }),
            stackedRowsSvg({ id: "o", title, emptyText: "none", series: [{ name: "a" }], rows: rows.map(([l, v]) => ({ label: l, values: [v[0]!] })) }),
            shareBarsSvg({ id: "s", title, emptyText: "none", noneText: "—", rows: shares.map((s, i) => ({ label: `${title}${i}`, share: s })) }),
          ];
          for (const svg of svgs) {
            expect(wellFormedProblem(svg)).toBeNull();
            expect(svg).not.toMatch(/NaN|Infinity|undefined/);
            expect(svg.startsWith("<svg ")).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
