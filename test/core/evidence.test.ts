import { describe, expect, it } from "vitest";
import { sniffEvidenceType } from "../../src/core/evidence";
import { PDF_BYTES, PNG_BYTES } from "../support/fixtures";

const bytes = (...values: (number | string)[]) =>
  Uint8Array.from(values.flatMap((v) => (typeof v === "string" ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe("evidence type detection by content", () => {
  it("recognises images and PDF from their first bytes", () => {
    expect(sniffEvidenceType(PNG_BYTES)).toBe("image/png");
    expect(sniffEvidenceType(PDF_BYTES)).toBe("application/pdf");
    expect(sniffEvidenceType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe("image/jpeg");
    expect(sniffEvidenceType(bytes("GIF89a"))).toBe("image/gif");
    expect(sniffEvidenceType(bytes("RIFF", 0, 0, 0, 0, "WEBP"))).toBe("image/webp");
    expect(sniffEvidenceType(bytes(0, 0, 0, 24, "ftypheic"))).toBe("image/heic");
  });

  it("rejects everything else whatever it is called", () => {
    expect(sniffEvidenceType(bytes("MZ", 0x90, 0))).toBeNull();
    expect(sniffEvidenceType(bytes("<html>"))).toBeNull();
    expect(sniffEvidenceType(bytes("PK", 3, 4))).toBeNull();
    expect(sniffEvidenceType(new Uint8Array())).toBeNull();
  });
});
