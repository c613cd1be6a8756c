/**
 * What happens after a lever moves: a paired single run (policy vs no new policy, common random
 * numbers) on the "fast" worker, drawn at once; then a small paired ensemble on the "fan" worker,
 * chunk by chunk, each chunk widening the bands; a newer request cancels the fan (no further chunks)
 * and, if a single run is in flight, is coalesced into the next one (only the latest state runs).
 */

import {
  type AcceptedSets,
  type ChunkResult,
  checkAcceptedSets,
  type EnsembleJob,
  ensembleJob,
  type ModelRunner,
  noPolicy,
  type OutcomeMeta,
  type Policy,
  type RunRecord,
  type Scenario,
  SHIPPED_ACCEPTED_PATH,
  shippedAcceptedData,
} from '../../src/index.js';

/** Replicates of the dashboard's fan and replicates per chunk (one redraw per chunk). */
export const FAN = { n: 24, chunk: 4 } as const;

/** The single paired run, ready to draw. */
export interface SingleView {
  years: number[];
  outcomes: OutcomeMeta[];
  index: Map<string, number>;
  /** Row-major years x outcomes. */
  policy: Float64Array;
  base: Float64Array;
  costByLever: RunRecord['costByLever'];
  /** Model time of the run in the worker plus transfer, ms. */
  runMs: number;
}

/** The fan so far: raw per-replicate cell values of each chunk. */
export class Fan {
  readonly chunks: ChunkResult[] = [];
  cells = 0;
  constructor(readonly target: number) {}

  get n(): number {
    let n = 0;
    for (const c of this.chunks) n += c.end - c.start;
    return n;
  }

  /** Values of one cell over the replicates: series 0 = policy, 1 = no new policy, 2 = difference. */
  values(series: 0 | 1 | 2, cell: number): number[] {
    const out: number[] = [];
    for (const c of this.chunks) {
      const len = c.end - c.start;
      const off = (series * this.cells + cell) * len;
      for (let r = 0; r < len; r++) out.push(c.values[off + r]);
    }
    return out;
  }

  /** Per replicate, the sum over `cells` of one series. */
  sums(series: 0 | 1 | 2, cells: number[]): number[] {
    const n = this.n;
    const out = new Array<number>(n).fill(0);
    for (const cell of cells) {
      const v = this.values(series, cell);
      for (let r = 0; r < n; r++) out[r] += v[r];
    }
    return out;
  }
}

/** Lower nearest-rank quantile (as the CLI's exact bands up to 1,024 replicates). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
}

export interface ExplorerEvents {
  single(view: SingleView, requestedAt: number): void;
  fan(fan: Fan, view: SingleView): void;
  /** The `actions` of the run document (Action · Intended Outcome · Potential Risk), once it has them. */
  actions(actions: unknown): void;
  error(err: unknown): void;
}

/** Runs the latest request; older ones are dropped or cancelled. */
export class Explorer {
  private generation = 0;
  private pending: { policy: Policy; seed: number; at: number } | null = null;
  private busy = false;
  private readonly accepted: AcceptedSets | null;
  /** Whether the run document carries `actions` (asked once; null until known). */
  private hasActions: boolean | null = null;

  constructor(
    private readonly fast: ModelRunner,
    private readonly fan: ModelRunner,
    private readonly scenario: Scenario,
    private readonly events: ExplorerEvents,
  ) {
    const sets = checkAcceptedSets(shippedAcceptedData(), SHIPPED_ACCEPTED_PATH);
    this.accepted = sets.sets.length > 0 ? sets : null;
  }

  /** Ask for a policy's results; `at` is when the user acted (performance.now()). */
  request(policy: Policy, seed: number, at = performance.now()): void {
    this.generation++;
    this.pending = { policy, seed, at };
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.pending) {
        const { policy, seed, at } = this.pending;
        this.pending = null;
        const gen = this.generation;
        const t0 = performance.now();
        let view: SingleView;
        try {
          const [p, b] = await this.fast.runPaired({ scenario: this.scenario, policy, seed }, noPolicy());
          view = toView(p, b, performance.now() - t0);
        } catch (err) {
          this.events.error(err);
          continue;
        }
        if (gen !== this.generation) continue; // superseded while running: run the newer one
        this.events.single(view, at);
        void this.runFan(gen, policy, seed, view);
        if (this.hasActions !== false) void this.fetchActions(gen, policy, seed);
      }
    } finally {
      this.busy = false;
    }
  }

  /**
   * The run document's `actions`, when the model provides them (a later issue adds them to the JSON of
   * `crossroads run`); asked once, and on every change only if the document has them.
   */
  private async fetchActions(gen: number, policy: Policy, seed: number): Promise<void> {
    try {
      const doc = (await this.fast.runPolicy({ scenario: this.scenario, policy, seed })) as unknown as {
        actions?: unknown;
      };
      this.hasActions = doc.actions !== undefined;
      if (this.hasActions && gen === this.generation) this.events.actions(doc.actions);
    } catch (err) {
      this.events.error(err);
    }
  }

  private async runFan(gen: number, policy: Policy, seed: number, view: SingleView): Promise<void> {
    const job: EnsembleJob = ensembleJob({
      scenario: this.scenario,
      arms: [
        { name: policy.name, policy },
        { name: 'no new policy', policy: noPolicy() },
      ],
      paired: true,
      n: FAN.n,
      seed,
      accepted: this.accepted,
    });
    const fan = new Fan(FAN.n);
    for (let start = 0; start < FAN.n; start += FAN.chunk) {
      if (gen !== this.generation) return; // cancelled: a lever moved again
      let r: ChunkResult;
      try {
        r = await this.fan.ensembleChunk(job, { start, end: Math.min(FAN.n, start + FAN.chunk) });
      } catch (err) {
        this.events.error(err);
        return;
      }
      if (gen !== this.generation) return;
      fan.chunks.push(r);
      fan.cells = r.values.length / (3 * (r.end - r.start));
      this.events.fan(fan, view);
    }
  }
}

function toView(p: RunRecord, b: RunRecord, runMs: number): SingleView {
  const index = new Map<string, number>();
  p.outcomes.forEach((o, k) => {
    index.set(o.path, k);
  });
  return {
    years: p.annual.map((a) => a.year),
    outcomes: p.outcomes,
    index,
    policy: p.values,
    base: b.values,
    costByLever: p.costByLever,
    runMs,
  };
}
