// Tips about the same institution and violation type within a window join one lead (with a
// corroboration count) instead of flooding the team with near-duplicates.

/** Normalised institution name: width, case, spaces and punctuation do not matter. */
export function institutionKey(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, "");
}

export interface ClusterCandidate {
  leadId: string;
  institutionKey: string;
  violationType: string;
  regionCode: string;
  lastReportAt: Date;
  open: boolean;
}

export function findClusterLead(
  tip: { institutionKey: string; violationType: string; regionCode: string; at: Date },
  candidates: ClusterCandidate[],
  windowDays: number,
): string | null {
  const earliest = tip.at.getTime() - windowDays * 86_400_000;
  const matches = candidates.filter(
    (c) =>
      c.open &&
      c.institutionKey === tip.institutionKey &&
      c.violationType === tip.violationType &&
      c.regionCode.slice(0, 2) === tip.regionCode.slice(0, 2) &&
      c.lastReportAt.getTime() >= earliest &&
      c.lastReportAt.getTime() <= tip.at.getTime() + 60_000,
  );
  matches.sort((a, b) => b.lastReportAt.getTime() - a.lastReportAt.getTime());
  return matches[0]?.leadId ?? null;
}

/**
 * The cluster a tip belongs to: institution, violation type and province. Stored in leads.cluster_slot
 * (unique) on the one open lead new tips join, so concurrent tips cannot open two.
 */
export function clusterSlot(institution: string, violationType: string, regionCode: string): string {
  return `${institution}|${violationType}|${regionCode.slice(0, 2)}`;
}

export type ClusterDecision = { kind: "corroborate"; leadId: string } | { kind: "create"; supersedes: string | null };

/**
 * What a tip at `at` does given the lead holding its slot (if any): joins it while it is open and its
 * last report is within the window, otherwise opens a new lead that takes the slot over.
 */
export function decideCluster(holder: { leadId: string; lastReportAt: Date; open: boolean } | null, at: Date, windowDays: number): ClusterDecision {
  if (!holder) return { kind: "create", supersedes: null };
  const earliest = at.getTime() - windowDays * 86_400_000;
  if (holder.open && holder.lastReportAt.getTime() >= earliest) return { kind: "corroborate", leadId: holder.leadId };
  return { kind: "create", supersedes: holder.leadId };
}
