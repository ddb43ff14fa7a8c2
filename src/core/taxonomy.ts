// The violation taxonomy (subject → type) from the regulation (条例 Arts. 37–41) and the campaign
// notices, plus the focus areas used for routing. Labels live in locales/ under `taxonomy.*`.

export const VIOLATION_TAXONOMY = {
  medical_institution: [
    "split_hospitalisation",
    "ghost_admission",
    "induced_admission",
    "fake_patient_condition_receipt",
    "over_treatment",
    "duplicate_billing",
    "above_standard_billing",
    "unbundled_billing",
    "miscoded_billing",
    "drug_consumable_substitution",
    "fabricated_services",
    "falsified_records",
    "non_covered_items",
    "identity_not_checked",
    "settling_for_non_designated",
    "other",
  ],
  pharmacy: [
    "drugs_for_daily_goods",
    "card_skimming_cash_out",
    "no_prescription_sale",
    "fake_invoices",
    "stock_records_mismatch",
    "other",
  ],
  insured_person: [
    "lending_card",
    "using_others_card",
    "double_benefits",
    "reselling_drugs_kickbacks",
    "forged_documents",
    "other",
  ],
  fraud_ring: ["paid_patient_recruiting", "organised_empty_swiping", "drug_resale_middlemen", "fake_employment", "other"],
  agency_staff: ["improper_grants_payments", "personal_data_leak_alteration", "bribery_embezzlement", "other"],
  cross_region_care: ["out_of_area_over_treatment", "fake_records_out_of_area_cards", "other"],
} as const satisfies Record<string, readonly string[]>;

export type ViolationSubject = keyof typeof VIOLATION_TAXONOMY;
export const VIOLATION_SUBJECTS = Object.keys(VIOLATION_TAXONOMY) as ViolationSubject[];
export type ViolationType = (typeof VIOLATION_TAXONOMY)[ViolationSubject][number];
export const VIOLATION_TYPES = [...new Set(Object.values(VIOLATION_TAXONOMY).flat())] as ViolationType[];

export function isViolationSubject(value: unknown): value is ViolationSubject {
  // Own properties only: "constructor" or "__proto__" must not resolve to Object's members.
  return typeof value === "string" && Object.hasOwn(VIOLATION_TAXONOMY, value);
}

export function isTypeOfSubject(subject: string, type: string): boolean {
  if (!isViolationSubject(subject)) return false;
  return (VIOLATION_TAXONOMY[subject] as readonly string[]).includes(type);
}

/** Focus areas of the 2023–2026 campaigns; teams declare which they cover. */
export const FOCUS_AREAS = [
  "orthopaedics",
  "dialysis",
  "cardiology",
  "imaging",
  "laboratory",
  "rehabilitation",
  "oncology",
  "ophthalmology",
  "dental",
  "general_surgery",
  "neurology",
] as const;
export type FocusArea = (typeof FOCUS_AREAS)[number];
