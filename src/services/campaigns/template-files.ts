// The bundled campaign templates (templates/*.yaml, bundled into templates/index.ts), each validated as
// a campaign file before use, and their list for `campaign templates` and the start page.
import { campaignFileSchema, type CampaignFile } from "../../core/campaigns/campaign-file";
import { AppError } from "../errors";
import { CAMPAIGN_TEMPLATES, TEMPLATE_IDS } from "./templates/index";

export { TEMPLATE_IDS } from "./templates/index";

/** A bundled template, validated (templates are data: a broken one is reported, never half-used). */
export function templateFile(templateId: string): CampaignFile {
  if (!Object.hasOwn(CAMPAIGN_TEMPLATES, templateId)) throw new AppError("not_found", `no campaign template ${templateId} (templates: ${TEMPLATE_IDS.join(", ")})`);
  const parsed = campaignFileSchema.safeParse(CAMPAIGN_TEMPLATES[templateId]);
  if (!parsed.success) throw new AppError("validation_failed", `template ${templateId} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

export function listTemplates(): { id: string; name: string; year: number; regionCode: string; deliverables: number }[] {
  return TEMPLATE_IDS.map((id) => {
    const file = templateFile(id);
    return { id, name: file.name, year: file.year, regionCode: file.regionCode, deliverables: file.deliverables.length };
  });
}
