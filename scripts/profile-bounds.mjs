#!/usr/bin/env node
/**
 * Profile of the health posterior along parameters that sit on a bound of their range (health-2):
 * for each value on a grid the other parameters are re-optimised (Nelder-Mead in logit space, started
 * from the shipped posterior's highest-density accepted set and from the best point of the previous
 * grid value, restarted with smaller steps) and the best log posterior density (deaths 2015-2024,
 * sigmas optimised too; the pinned parameter's prior term left out) is printed. A profile that keeps rising toward the bound shows the data push there. Method check,
 * not part of the shipped calibration; uses the build in dist/ (run `npm run build` first).
 * Usage: node scripts/profile-bounds.mjs [evaluations per restart]
 */
import { readFileSync } from 'node:fs';
import { nelderMead } from '../dist/src/analysis/nelder-mead.js';
import { fitScenario } from '../dist/src/calibration/chains.js';
import { Posterior, toUnit } from '../dist/src/calibration/posterior.js';

const evaluations = Number(process.argv[2] ?? 3000);
const fit = JSON.parse(readFileSync(new URL('../data/calibration/health-fit.json', import.meta.url), 'utf8'));
const logit = (u) => Math.log(u / (1 - u));
/** The shipped fit's best point (model parameters, then the median sigmas) in logit space. */
function startPoint(post) {
  const sig = fit.sigmaIds.map(
    (_, k) => fit.sigmas.map((s) => s[k]).sort((a, b) => a - b)[fit.sigmas.length >> 1],
  );
  return post.dims.map((d, i) => {
    const v = i < post.modelDims ? fit.best[d.id] : sig[i - post.modelDims];
    return logit(Math.min(0.999, Math.max(0.001, toUnit(d, v))));
  });
}
const grids = {
  'health.fentanylHazardMultiplier': [0.5, 0.7, 1, 2, 4],
  'health.fentanylCoInvolvementOtherOpioids': [0.1, 0.15, 0.2, 0.25, 0.3],
  'health.initiationDeclineRate': [0.03, 0.06, 0.09, 0.12, 0.15],
  'health.exposureLagYears': [0.02, 0.1, 0.25, 0.5, 1],
  'health.methAvailabilityElasticity': [0.25, 0.5, 0.75, 1, 1.25, 1.5],
  'naloxone.deathsAvertedPerKit': [0.0014, 0.003, 0.0044, 0.008, 0.0156],
  'health.stimulantFentanylContamination': [0.01, 0.03, 0.05, 0.13, 0.3],
  'health.potencyElasticity': [0, 0.15, 0.3, 0.6, 1],
  'health.nonFentanylStimulantCoInvolvementRatio': [0.05, 0.1, 0.2, 0.4, 0.8],
  'health.opioidDeathCocaineShare': [0.1, 0.2, 0.25, 0.3, 0.4],
  'health.stimulantFentanylHazardMultiplier': [0, 2, 5, 15, 50, 200],
  'health.illicitInitiation': [0, 50000, 150000, 400000, 800000],
};
for (const [id, grid] of Object.entries(grids)) {
  const line = [];
  let previous = null;
  for (const v of grid) {
    const post = new Posterior(fitScenario(null), 2024);
    const i = post.dims.findIndex((d) => d.id === id);
    if (i < 0) throw new Error(`${id} is not sampled`);
    // Pin the parameter: a range of relative width 1e-9 around the value (its Jacobian term is then
    // the same at every grid value, and its prior term is left out).
    const eps = Math.max(Math.abs(v), 1e-6) * 1e-9;
    post.dims[i] = { id, lo: v, hi: v + eps, log: false };
    const f = (x) => {
      const y = [...x];
      y[i] = 0;
      const ld = post.logDensity(y);
      return Number.isFinite(ld) ? -ld : 1e300;
    };
    let best = { x: startPoint(post), value: Number.POSITIVE_INFINITY };
    for (const x0 of previous ? [best.x, previous] : [best.x]) {
      let x = x0;
      for (const step of [0.5, 0.2, 0.05]) {
        const r = nelderMead(f, x, { maxEvaluations: evaluations, initialStep: step });
        if (r.value < best.value) best = { x: r.x, value: r.value };
        x = r.x;
      }
    }
    previous = best.x;
    line.push(`${v}: ${(-best.value).toFixed(1)}`);
  }
  console.log(`${id.padEnd(46)} ${line.join('  ')}`);
}
