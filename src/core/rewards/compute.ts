// The reward for a verified amount under a policy, step by step, in integer fen. Rates are basis points,
// so every product is an exact integer of fen × bp; the sum is rounded once, half up, to the fen (never
// floating point: 0.1 + 0.2 must not decide anyone's reward).
import { isValidAmountFen, MAX_AMOUNT_FEN } from "../money";
import type { RewardLevel, RewardPolicy } from "./policy";

/** A verified amount the computation refuses (not a safe integer of fen within MAX_AMOUNT_FEN). */
export class RewardAmountError extends RangeError {
  override name = "RewardAmountError";
  readonly code = "amount_invalid" as const;
  constructor(readonly verifiedAmountFen: unknown) {
    super(`verified amount must be an integer of fen from 0 to ${MAX_AMOUNT_FEN}`);
  }
}

export interface RewardInput {
  /** The verified amount of the fund loss (查实金额), in fen. 0 = no fund loss. */
  verifiedAmountFen: number;
  /** The tip's level, for by-level policies (defaults to 3, the lowest). */
  level?: RewardLevel;
  /** The tipster is an insider (内部人员) where the policy gives an uplift. */
  insider?: boolean;
}

export type RewardStep =
  /** `baseFen` × `rateBp` of one band (or the flat rate): the exact share, and rounded for display. */
  | { kind: "band"; fromFen: number; toFen: number; baseFen: number; rateBp: number; shareFen: number }
  | { kind: "sum"; amountFen: number }
  | { kind: "insider_uplift"; upliftBp: number; addedFen: number; amountFen: number }
  | { kind: "floor"; floorFen: number; amountFen: number }
  | { kind: "cap"; capFen: number; amountFen: number };

export interface RewardComputation {
  policyId: string;
  verifiedAmountFen: number;
  /** 0 when there is no fund loss (no reward under the measures). */
  amountFen: number;
  steps: RewardStep[];
  floorApplied: boolean;
  capApplied: boolean;
}

const BP = 10_000n;

/** n / d rounded half up (n ≥ 0, d > 0). */
const roundDiv = (n: bigint, d: bigint): bigint => (n * 2n + d) / (d * 2n);
const roundBp = (n: bigint): bigint => roundDiv(n, BP);

export function computeReward(policy: RewardPolicy, input: RewardInput): RewardComputation {
  const verified = input.verifiedAmountFen;
  // Checked first, before any arithmetic: callers validate at their edge, this is the last line.
  if (!isValidAmountFen(verified)) throw new RewardAmountError(verified);
  const steps: RewardStep[] = [];
  const none = { policyId: policy.id, verifiedAmountFen: verified, amountFen: 0, steps, floorApplied: false, capApplied: false };
  if (verified === 0) return none;

  // Exact sum of fen × bp over the bands.
  let exact = 0n;
  const amount = BigInt(verified);
  let floorFen = policy.floorFen;
  const scheme = policy.scheme;
  const band = (from: bigint, to: bigint, rateBp: number) => {
    const base = to - from;
    const product = base * BigInt(rateBp);
    exact += product;
    steps.push({ kind: "band", fromFen: Number(from), toFen: Number(to), baseFen: Number(base), rateBp, shareFen: Number(roundBp(product)) });
  };
  if (scheme.kind === "flat") band(0n, amount, scheme.rateBp);
  else if (scheme.kind === "by_level") {
    const level = scheme.levels[input.level ?? 3];
    band(0n, amount, level.rateBp);
    floorFen = Math.max(floorFen, level.floorFen);
  } else {
    let from = 0n;
    for (const b of scheme.bands) {
      if (from >= amount) break;
      const upto = b.uptoFen === null ? amount : BigInt(b.uptoFen);
      const to = upto < amount ? upto : amount;
      if (to > from) band(from, to, b.rateBp);
      from = to;
    }
  }

  let result = roundBp(exact);
  steps.push({ kind: "sum", amountFen: Number(result) });
  if (input.insider && policy.insiderUpliftBp > 0) {
    // The uplift is taken on the exact sum, then rounded once, so it does not compound a rounding.
    const uplifted = roundDiv(exact * (BP + BigInt(policy.insiderUpliftBp)), BP * BP);
    steps.push({ kind: "insider_uplift", upliftBp: policy.insiderUpliftBp, addedFen: Number(uplifted - result), amountFen: Number(uplifted) });
    result = uplifted;
  }
  let floorApplied = false;
  let capApplied = false;
  if (result < BigInt(floorFen)) {
    result = BigInt(floorFen);
    floorApplied = true;
    steps.push({ kind: "floor", floorFen, amountFen: floorFen });
  }
  if (result > BigInt(policy.capFen)) {
    result = BigInt(policy.capFen);
    capApplied = true;
    steps.push({ kind: "cap", capFen: policy.capFen, amountFen: policy.capFen });
  }
  return { policyId: policy.id, verifiedAmountFen: verified, amountFen: Number(result), steps, floorApplied, capApplied };
}

// Formatting moved to the one money module; re-exported for the step lines and the CLI.
export { formatYuan } from "../money";

/** "1.5 %" from basis points. */
export const formatRate = (bp: number) => `${(bp / 100).toString()} %`;
