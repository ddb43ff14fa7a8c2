// Valid inputs and small real files for tests.

export const VALID_ID_NUMBER = "11010519491231002X";

export function validReport(overrides: Record<string, unknown> = {}) {
  return {
    subject: "medical_institution",
    violationType: "ghost_admission",
    region: { provinceCode: "110000", cityCode: "110100", districtCode: "110105" },
    targetName: "朝阳某某康复医院",
    targetAddress: "某某路 1 号",
    occurredFrom: "2026-03-01",
    occurredTo: "2026-04-30",
    amountEstimate: 12345.67,
    description: "住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目。",
    anonymous: true,
    insider: false,
    wantsReward: true,
    ...overrides,
  };
}

export const REAL_NAME = { name: "李秀英", phone: "13912345678", idNumber: VALID_ID_NUMBER, email: "li.xiuying@example.cn" };

/** A valid 1×1 PNG. */
export const PNG_BYTES = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

export const PDF_BYTES = new TextEncoder().encode("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

export function jsonPost(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function multipart(fields: Record<string, string>, files: { name: string; bytes: Uint8Array; type?: string }[] = [], fileField = "evidence"): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append(fileField, new File([f.bytes as Uint8Array<ArrayBuffer>], f.name, { type: f.type ?? "application/octet-stream" }));
  return form;
}
