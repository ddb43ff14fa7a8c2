// The one-reply conclusion ("120000 追回 80000 罚款 20000 约谈 限期整改"): read in both languages, as a
// property never throwing and never yielding an amount outside 0..MAX_AMOUNT_FEN; and the lifecycle's rules on the figures.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConclusionText } from "../../src/core/conclusion-text";
import { applyLeadCommand } from "../../src/core/lead-lifecycle";
import { MEASURES, measureLabel } from "../../src/core/measures";
import { MAX_AMOUNT_FEN } from "../../src/core/money";

describe("parseConclusionText", () => {
  it("reads the verified amount, recovered, fine and measures in Chinese and in English", () => {
    const want = { ok: true, amountFen: 12_000_000, recoveredFen: 8_000_000, fineFen: 2_000_000, measures: ["interview", "rectification"] };
    expect(parseConclusionText("120000 追回 80000 罚款 20000 约谈 限期整改")).toEqual(want);
    expect(parseConclusionText("120000 recovered 80000 fine 20000 interview rectification")).toEqual(want);
    expect(parseConclusionText("12万，追回8万元，罚款2万；限期整改约谈")).toEqual(want);
    expect(parseConclusionText("120000 Recovered 80000 FINE 20000 rectification, interview, interview")).toEqual(want);
  });

  it("still reads a reply that is only the amount, as before", () => {
    for (const [text, fen] of [["12000", 1_200_000], ["12,000.50", 1_200_050], ["1.2万", 1_200_000], ["¥12000", 1_200_000], ["12000 元", 1_200_000]] as const)
      expect(parseConclusionText(text)).toEqual({ ok: true, amountFen: fen, recoveredFen: null, fineFen: null, measures: [] });
  });

  it("knows every measure by code and by its Chinese label", () => {
    for (const m of MEASURES) {
      expect(parseConclusionText(`100 ${m}`)).toMatchObject({ ok: true, measures: [m] });
      expect(parseConclusionText(`100 ${measureLabel(m, "zh-CN")}`)).toMatchObject({ ok: true, measures: [m] });
    }
    expect(parseConclusionText(`100 ${MEASURES.join(" ")}`)).toMatchObject({ ok: true, measures: [...MEASURES] });
  });

  it("refuses, saying why: an unknown word, a keyword without amount, an amount twice, a bad or too large amount", () => {
    expect(parseConclusionText("120000 追回 80000 警告")).toEqual({ ok: false, reason: "unknown_word", word: "警告" });
    expect(parseConclusionText("120000 recovered")).toEqual({ ok: false, reason: "figure_missing", figure: "recovered" });
    expect(parseConclusionText("120000 fine interview")).toEqual({ ok: false, reason: "figure_missing", figure: "fine" });
    expect(parseConclusionText("120000 追回 1 追回 2")).toEqual({ ok: false, reason: "figure_repeated", figure: "recovered" });
    expect(parseConclusionText("120000 5000")).toEqual({ ok: false, reason: "figure_repeated", figure: "amount" });
    expect(parseConclusionText("120000 recovered 1e9")).toEqual({ ok: false, reason: "amount_invalid" });
    expect(parseConclusionText("120000 fine -5")).toMatchObject({ ok: false });
    expect(parseConclusionText("1 罚款 10000000001")).toEqual({ ok: false, reason: "amount_too_large" });
  });

  it("as a property: never throws, and every amount it returns is an integer within 0..MAX_AMOUNT_FEN", () => {
    const word = fc.oneof(
      fc.constantFrom("追回", "罚款", "recovered", "fine", "查实", "元", "约谈", "限期整改", "interview", "published", "暂停", "-", "1e25", "，", "、", "万"),
      fc.bigInt({ min: 0n, max: 10n ** 16n }).map(String),
      fc.tuple(fc.nat(), fc.nat({ max: 999 })).map(([a, b]) => `${a}.${b}`),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: "grapheme", maxLength: 6 }),
    );
    const reply = fc.oneof(fc.array(word, { maxLength: 10 }).map((ws) => ws.join(" ")), fc.array(word, { maxLength: 10 }).map((ws) => ws.join("")), fc.string({ maxLength: 200 }));
    fc.assert(
      fc.property(reply, (text) => {
        const r = parseConclusionText(text);
        if (!r.ok) return;
        for (const fen of [r.amountFen, r.recoveredFen, r.fineFen]) {
          if (fen === null) continue;
          expect(Number.isSafeInteger(fen)).toBe(true);
          expect(fen).toBeGreaterThanOrEqual(0);
          expect(fen).toBeLessThanOrEqual(MAX_AMOUNT_FEN);
        }
        for (const m of r.measures) expect(MEASURES).toContain(m);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("conclude with recovered, fine and measures", () => {
  it("records them with a substantiated outcome, measures deduplicated in list order", () => {
    const r = applyLeadCommand("investigating", { type: "conclude", outcome: "partly_substantiated", amountFen: 100, recoveredFen: 50, fineFen: 0, measures: ["published", "interview", "published"] });
    expect(r).toMatchObject({ ok: true, state: "concluded", figures: { recoveredFen: 50, fineFen: 0, measures: ["interview", "published"] } });
  });

  it("refuses recovered or fine on an outcome that is not substantiated, negative or unbounded amounts, unknown measures", () => {
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "unsubstantiated", recoveredFen: 100 })).toEqual({ ok: false, reason: "figures_not_allowed" });
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "referred_police", fineFen: 100 })).toEqual({ ok: false, reason: "figures_not_allowed" });
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "substantiated", amountFen: 100, fineFen: -1 })).toEqual({ ok: false, reason: "amount_invalid" });
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "substantiated", amountFen: 100, recoveredFen: MAX_AMOUNT_FEN + 1 })).toEqual({ ok: false, reason: "amount_invalid" });
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "substantiated", amountFen: 100, measures: ["warning" as never] })).toEqual({ ok: false, reason: "measures_invalid" });
    // Measures alone go with any outcome (an interview after an unsubstantiated lead).
    expect(applyLeadCommand("accepted", { type: "conclude", outcome: "unsubstantiated", measures: ["interview"] })).toMatchObject({ ok: true, figures: { recoveredFen: null, fineFen: null, measures: ["interview"] } });
  });
});
