// The CPU budget of one metadata-stripping run. Stripping reads attacker-supplied bytes on the
// request path, so every loop spends "steps" (roughly: bytes examined or written) from a meter that
// stops the run when the budget is gone. Steps are deterministic (tests measure them); the optional
// clock is a second, wall-clock limit read every CLOCK_EVERY steps. Pure: the clock is passed in.

export interface StripBudget {
  /** Work units allowed for this file (about one per byte examined or written). */
  maxSteps: number;
  /** A monotonic clock in ms and the time it must not pass; read every CLOCK_EVERY steps. */
  clock?: () => number;
  deadline?: number;
}

/** Thrown when the budget is spent; the stripper reports `over_budget`. */
export class OverBudget extends Error {}

const CLOCK_EVERY = 1 << 18;

export class StripMeter {
  steps = 0;
  private nextClockCheck = CLOCK_EVERY;
  constructor(private readonly budget: StripBudget) {}

  spend(n: number): void {
    this.steps += n;
    if (this.steps > this.budget.maxSteps) throw new OverBudget();
    if (this.steps >= this.nextClockCheck) {
      this.nextClockCheck = this.steps + CLOCK_EVERY;
      const { clock, deadline } = this.budget;
      if (clock && deadline !== undefined && clock() > deadline) throw new OverBudget();
    }
  }
}

/** The budget when the caller names none: linear work with room to spare, no clock. */
export const defaultStripBudget = (sizeBytes: number): StripBudget => ({ maxSteps: 32 * sizeBytes + 1_000_000 });
