// Turns the flat fields of the HTML form (`region.provinceCode`, `reporter.name`, checkboxes) into the
// same object the JSON API takes, so one schema validates both.

const TRUE_VALUES = new Set(["true", "on", "1", "yes"]);

function nest(fields: Record<string, string>, prefix: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (k.startsWith(`${prefix}.`) && v.trim() !== "") out[k.slice(prefix.length + 1)] = v;
  return Object.keys(out).length ? out : undefined;
}

function parseAmount(raw: string | undefined): number | string | undefined {
  const value = raw?.trim().replace(/[,，\s]/g, "").replace(/元$/, "");
  if (!value) return undefined;
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

export function formToReportInput(fields: Record<string, string>): Record<string, unknown> {
  const text = (name: string) => {
    const v = fields[name];
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  const anonymousRaw = text("anonymous");
  const anonymous = anonymousRaw === undefined ? undefined : anonymousRaw === "true";
  // The form's type values are "subject:type" (see pages/report-form.tsx); a type picked from another
  // subject's group stays unsplit so it fails as an invalid choice.
  let subject = text("subject");
  let violationType = text("violationType");
  const [typeSubject, type] = violationType?.split(":") ?? [];
  if (type !== undefined && (subject === undefined || subject === typeSubject)) {
    subject = typeSubject;
    violationType = type;
  }
  return {
    subject,
    violationType,
    region: nest(fields, "region") ?? {},
    targetName: text("targetName"),
    targetAddress: text("targetAddress"),
    occurredFrom: text("occurredFrom"),
    occurredTo: text("occurredTo"),
    amountEstimate: parseAmount(fields.amountEstimate),
    description: text("description"),
    anonymous,
    // Identity typed before switching to "anonymous" is dropped here, never stored.
    reporter: anonymous === false ? (nest(fields, "reporter") ?? {}) : undefined,
    insider: TRUE_VALUES.has((fields.insider ?? "").toLowerCase()),
    wantsReward: TRUE_VALUES.has((fields.wantsReward ?? "").toLowerCase()),
  };
}
