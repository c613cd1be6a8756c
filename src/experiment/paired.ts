/**
 * Paired comparison, the one implementation: policy A against policy B on common random numbers
 * (same seed, same replicate index, same parameter draw, same run streams), reporting both arms'
 * bands, the per-replicate difference A - B with its band, and P(A beats B) by each outcome's
 * declared direction (ties count half). `crossroads compare` and the interval form of
 * `crossroads run` (policy vs no new policy) both call `runPairedEnsemble`.
 *
 * The difference band is the spread of the paired difference over the uncertainty (a predictive
 * interval: where the effect lies given what is not known), not a confidence interval of its mean.
 */

import type { Arm } from './chunk.js';
import {
  type EnsembleManifest,
  type EnsembleResult,
  type EnsembleSpec,
  type RunEnsembleOptions,
  runEnsemble,
} from './ensemble.js';
import {
  annualView,
  monthlyView,
  type PeriodView,
  type SummaryView,
  summaryView,
  type Which,
} from './views.js';

/** Paired settings. */
export const PAIRED_DEFAULTS = {
  /** Replicates of `crossroads run` when no -n is given: about a second in-process on one core. */
  runReplicates: 100,
} as const;

/** What to compare. */
export interface PairedSpec extends Omit<EnsembleSpec, 'arms' | 'paired'> {
  a: Arm;
  b: Arm;
}

/** One arm (or the difference) in the model's annual shape, medians with bands beside. */
export interface ArmView {
  name: string;
  annual: PeriodView[];
  monthly: PeriodView[];
  summary: SummaryView[];
}

/** A paired comparison's result. */
export interface PairedResult {
  manifest: EnsembleManifest;
  quantiles: number[];
  a: ArmView;
  b: ArmView;
  /** A - B per replicate, with `pBeats` = P(A beats B). */
  difference: ArmView;
  /** The underlying ensemble (sketches, layout) for further queries. */
  ensemble: EnsembleResult;
}

/** View one arm (index) or the difference of an ensemble result. */
export function armView(result: EnsembleResult, which: Which): ArmView {
  const name =
    which === 'difference' ? `${result.arms[0].name} - ${result.arms[1].name}` : result.arms[which].name;
  return {
    name,
    annual: annualView(result, which),
    monthly: monthlyView(result, which),
    summary: summaryView(result, which),
  };
}

/** Run A and B as a paired ensemble. */
export async function runPairedEnsemble(
  spec: PairedSpec,
  options: RunEnsembleOptions = {},
): Promise<PairedResult> {
  const { a, b, ...rest } = spec;
  const result = await runEnsemble({ ...rest, arms: [a, b], paired: true }, options);
  return {
    manifest: result.manifest,
    quantiles: result.quantiles,
    a: armView(result, 0),
    b: armView(result, 1),
    difference: armView(result, 'difference'),
    ensemble: result,
  };
}
