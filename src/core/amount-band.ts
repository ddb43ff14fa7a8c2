// Amount bands shown on lead cards: enough to prioritise without exposing a precise figure.
export type AmountBand = "unknown" | "under_10k" | "10k_100k" | "100k_1m" | "1m_10m" | "over_10m";

export function amountBand(fen: number | null | undefined): AmountBand {
  if (fen === null || fen === undefined) return "unknown";
  const yuan = fen / 100;
  if (yuan < 10_000) return "under_10k";
  if (yuan < 100_000) return "10k_100k";
  if (yuan < 1_000_000) return "100k_1m";
  if (yuan < 10_000_000) return "1m_10m";
  return "over_10m";
}
