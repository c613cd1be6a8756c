/**
 * The supply fit report: model values against the supply-side targets in data/targets/supply.json
 * (Eastern Pacific share, maritime removal rate, cocaine production, CBP fentanyl seizures). The
 * values come from the organisations' route choices on the network; no routing weight is fitted.
 * Runs use expected values (no process noise), like the health calibration.
 */

import targets from '../../data/targets/supply.json' with { type: 'json' };
import { textTable } from '../core/text.js';
import { prepare, runModel } from '../engine/run.js';
import type { Scenario } from '../spec/scenario.js';

/** One row of the fit report. */
export interface SupplyFitRow {
  target: string;
  year: number;
  model: number;
  observed: number | null;
  low: number;
  high: number;
  pass: boolean;
  source: string;
}

/** Sum of a monthly series over US fiscal year `fy` (October fy-1 to September fy). */
function fiscalYearSum(series: Float64Array, firstYear: number, fy: number): number | null {
  const start = (fy - 1 - firstYear) * 12 + 9;
  if (start < 0 || start + 12 > series.length) return null;
  let s = 0;
  for (let t = start; t < start + 12; t++) s += series[t];
  return s;
}

/** Compute the fit report for a scenario (default seed 1, expected values). */
export function supplyFitReport(scenario: Scenario, seed = 1): SupplyFitRow[] {
  const input = { scenario, policy: { name: 'no new policy', levers: [] }, seed, stochastic: false };
  const out = runModel(input, prepare(input));
  const byYear = new Map(out.annual.map((a) => [a.year, a]));
  const rows: SupplyFitRow[] = [];
  const ep = targets.easternPacificShare;
  for (const y of ep.years) {
    const v = byYear.get(y)?.supply.cocaine.easternPacificShare ?? Number.NaN;
    rows.push({
      target: 'easternPacificShare',
      year: y,
      model: v,
      observed: null,
      low: ep.low,
      high: ep.high,
      pass: v >= ep.low && v <= ep.high,
      source: ep.source,
    });
  }
  const rm = targets.maritimeRemovalRate;
  for (const y of rm.years) {
    const v = byYear.get(y)?.supply.cocaine.maritimeRemovalRate ?? Number.NaN;
    rows.push({
      target: 'maritimeRemovalRate',
      year: y,
      model: v,
      observed: null,
      low: rm.low,
      high: rm.high,
      pass: v >= rm.low && v <= rm.high,
      source: rm.source,
    });
  }
  const cp = targets.cocaineProduction;
  for (const r of cp.rows) {
    const v = byYear.get(r.year)?.supply.cocaine.producedKg ?? Number.NaN;
    const low = r.value * (1 - cp.tolerance);
    const high = r.value * (1 + cp.tolerance);
    rows.push({
      target: 'cocaineProductionKg',
      year: r.year,
      model: v,
      observed: r.value,
      low,
      high,
      pass: v >= low && v <= high,
      source: r.source,
    });
  }
  const fs = targets.cbpFentanylSeizures;
  const k = 1 + fs.tolerance;
  const seizures = out.supply.state.records.fentanyl.seizedUsBorder;
  const fyModel = new Map<number, number>();
  for (const r of fs.rows) {
    const v = fiscalYearSum(seizures, out.axis.firstYear, r.year) ?? Number.NaN;
    fyModel.set(r.year, v);
    rows.push({
      target: 'cbpFentanylSeizuresKg',
      year: r.year,
      model: v,
      observed: r.value,
      low: r.value / k,
      high: r.value * k,
      pass: v >= r.value / k && v <= r.value * k,
      source: r.source,
    });
  }
  // Growth FY2020 -> FY2023 (the trend), as a ratio.
  const first = fs.rows.find((r) => r.year === 2020)!;
  const last = fs.rows.find((r) => r.year === 2023)!;
  const obsGrowth = last.value / first.value;
  const modGrowth = (fyModel.get(2023) ?? Number.NaN) / (fyModel.get(2020) ?? Number.NaN);
  rows.push({
    target: 'cbpFentanylSeizuresGrowthFY2020toFY2023',
    year: 2023,
    model: modGrowth,
    observed: obsGrowth,
    low: obsGrowth / k,
    high: obsGrowth * k,
    pass: modGrowth >= obsGrowth / k && modGrowth <= obsGrowth * k,
    source: fs.rows.map((r) => r.source).join('; '),
  });
  // The collapse after the precursor controls (history): FY2025 / FY2024 seizures and purity 2025 / 2023.
  const fc = targets.fentanylCollapse;
  const fy24 = fyModel.get(2024) ?? Number.NaN;
  const fy25 = fyModel.get(2025) ?? Number.NaN;
  const obs24 = fs.rows.find((r) => r.year === 2024)!.value;
  const obs25 = fs.rows.find((r) => r.year === 2025)!.value;
  rows.push({
    target: 'cbpFentanylSeizuresRatioFY2025toFY2024',
    year: 2025,
    model: fy25 / fy24,
    observed: obs25 / obs24,
    low: 0,
    high: fc.seizureRatioMax,
    pass: fy25 / fy24 <= fc.seizureRatioMax,
    source: fc.source,
  });
  const purity = (y: number) => byYear.get(y)?.supply.fentanyl.purity ?? Number.NaN;
  const purityRatio = purity(2025) / purity(2023);
  rows.push({
    target: 'fentanylPurityRatio2025to2023',
    year: 2025,
    model: purityRatio,
    observed: fc.dea.purityFY2025 / fc.dea.purityFY2023,
    low: 0,
    high: 1,
    pass: purityRatio < 1,
    source: `${fc.source}; ${fc.note}`,
  });
  return rows;
}

/** Format the fit report as a text table. */
export function formatSupplyFit(rows: SupplyFitRow[]): string {
  const fmt = (x: number | null) =>
    x === null || Number.isNaN(x)
      ? '-'
      : Math.abs(x) >= 100
        ? Math.round(x).toLocaleString('en-US')
        : x.toFixed(3);
  const head = ['target', 'year', 'model', 'observed', 'band', 'fit'];
  const body = rows.map((r) => [
    r.target,
    String(r.year),
    fmt(r.model),
    fmt(r.observed),
    `${fmt(r.low)}-${fmt(r.high)}`,
    r.pass ? 'ok' : 'MISS',
  ]);
  return textTable(head, body);
}
