// The fields of the citizen's web report form for one anonymous Chengdu tip (a ghost admission), as a
// browser posts them; `extra` adds or replaces fields.
import { CHENGDU } from "./round-trips";

export function webReportFields(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    _once: token,
    subject: "medical_institution",
    violationType: "medical_institution:ghost_admission",
    "region.provinceCode": CHENGDU.provinceCode,
    "region.districtCode": CHENGDU.districtCode,
    targetName: "锦江某某医院",
    occurredFrom: "2026-10-01",
    description: "康复科长期挂床住院，病人白天回家，医院仍每天记账理疗项目并报销。",
    anonymous: "true",
    ...extra,
  };
}
