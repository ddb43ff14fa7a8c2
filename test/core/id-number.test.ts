import { describe, expect, it } from "vitest";
import { checkIdNumber, computeIdCheckChar } from "../../src/core/id-number";
import { VALID_ID_NUMBER } from "../support/fixtures";

describe("GB 11643 ID numbers", () => {
  it("computes the ISO 7064 MOD 11-2 check character", () => {
    expect(computeIdCheckChar("11010519491231002")).toBe("X");
    expect(computeIdCheckChar("44052418800101001")).toBe("4");
  });

  it("accepts valid numbers, with a lower-case x too", () => {
    expect(checkIdNumber(VALID_ID_NUMBER, "2026-11-24")).toBeNull();
    expect(checkIdNumber(VALID_ID_NUMBER.toLowerCase(), "2026-11-24")).toBeNull();
    expect(checkIdNumber("440524198001010013", "2026-11-24")).toBeNull();
    expect(checkIdNumber("440524188001010014", "2026-11-24")).toBe("birth_date");
  });

  it("names what is wrong: format, birth date or check digit", () => {
    expect(checkIdNumber("1101051949123100", "2026-11-24")).toBe("format");
    expect(checkIdNumber("01010519491231002X", "2026-11-24")).toBe("format");
    expect(checkIdNumber("110105194902301234", "2026-11-24")).toBe("birth_date");
    expect(checkIdNumber("110105203001010011", "2026-11-24")).toBe("birth_date");
    expect(checkIdNumber("110105194912310021", "2026-11-24")).toBe("checksum");
  });
});
