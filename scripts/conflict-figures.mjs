#!/usr/bin/env node
/**
 * The conflict module's figures for the README and the report (issue 14): for each policy named on
 * the command line (default: the shipped strike policies and the article's packages), N paired
 * replicates over parameter uncertainty and process noise (common random numbers, as `ensemble`),
 * 2026-2035: violence index (mean of the years), excess homicides, retaliation flashes, succession
 * wars, P(attack on US personnel or soil) a year (mean of the years) and over the decade, economic
 * cost of the crisis, and the same without the policy. Prints median (p5 .. p95).
 * Usage: npm run build && node scripts/conflict-figures.mjs [-n 100] [policy ...]
 */
import { runModel } from '../dist/src/engine/run.js';
import { loadAcceptedSets } from '../dist/src/experiment/accepted-file.js';
import { setupChunk } from '../dist/src/experiment/chunk.js';
import { ensembleJob } from '../dist/src/experiment/ensemble.js';
import { defaultScenario } from '../dist/src/scenario/default.js';
import { noPolicy } from '../dist/src/scenario/resolve.js';
import { shippedPolicy } from '../dist/src/scenario/shipped.js';

const args = process.argv.slice(2);
let n = 100;
const k = args.indexOf('-n');
if (k >= 0) {
  n = Number(args[k + 1]);
  args.splice(k, 2);
}
const names = args.length
  ? args
  : [
      'vessel-strikes',
      'lab-strikes',
      'financial-sanctions',
      'hemispheric-defense',
      'balanced-defense',
      'balanced-package',
      'demand-package',
    ];
const scenario = defaultScenario();
const seed = 1;
// History-shaping parameters drawn jointly from the calibration's accepted sets, as `run -n`.
const { accepted } = loadAcceptedSets();
const ctx = setupChunk(
  ensembleJob({ scenario, arms: [{ name: 'none', policy: noPolicy() }], n, seed, accepted }),
);
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const band = (xs, d = 0, scale = 1) =>
  `${fmt(q(xs, 0.5) * scale, d)} (${fmt(q(xs, 0.05) * scale, d)} .. ${fmt(q(xs, 0.95) * scale, d)})`;

function measure(out) {
  const ys = out.annual.filter((a) => a.year >= 2026);
  const c = ys.map((a) => a.conflict);
  const mean = (f) => c.reduce((s, x) => s + f(x), 0) / c.length;
  const total = (f) => c.reduce((s, x) => s + f(x), 0);
  return {
    violence: mean((x) => x.violenceIndex),
    violenceVE: mean((x) => x.violenceIndexByRegion.VE),
    violenceMX: mean((x) => x.violenceIndexByRegion.MX),
    excess: total((x) => x.excessHomicides),
    flashes: total((x) => x.retaliationFlashes),
    wars: total((x) => x.successionWars),
    pYear: mean((x) => x.pAttackOnUs),
    pDecade: 1 - c.reduce((s, x) => s * (1 - x.pAttackOnUs), 1),
    pSoil: mean((x) => x.pAttackOnUsSoil),
    pSoilDecade: 1 - c.reduce((s, x) => s * (1 - x.pAttackOnUsSoil), 1),
    cost: total((x) => x.economicCost.totalUsd),
    costViolence: total((x) => x.economicCost.violenceUsd),
    deaths: ys.reduce((s, a) => s + a.deaths.total, 0),
    killedAboard: ys.reduce((s, a) => s + a.supply.deathsAboardStruckVessels, 0),
    friction: mean((x) => x.sanctionsFriction),
    flow: ys.reduce((s, a) => s + a.flow.cocaine / 1000 + a.flow.fentanyl, 0),
    fentanylFlow: ys.reduce((s, a) => s + a.flow.fentanyl, 0),
    capital: out.supply.state.capital.reduce((s, x) => s + x, 0),
    fentanylCapacity: ys.reduce((s, a) => s + a.supply.fentanyl.labCapacityKgPerYear, 0) / ys.length,
  };
}

const t0 = Date.now();
const rows = {};
for (const name of ['none', ...names]) rows[name] = [];
for (let r = 0; r < n; r++) {
  const parameters = ctx.sampler.draw(r);
  for (const name of ['none', ...names]) {
    const policy = name === 'none' ? noPolicy() : shippedPolicy(name, scenario);
    rows[name].push(measure(runModel({ scenario, policy, seed, replicate: r, parameters })));
  }
}
console.log(
  `n = ${n} replicates per policy, seed ${seed}, 2026-2035, median (p5 .. p95); ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
for (const name of ['none', ...names]) {
  const m = rows[name];
  const base = rows.none;
  const col = (f) => m.map(f);
  const diff = (f) => m.map((x, i) => f(x) - f(base[i]));
  console.log(`\n${name}`);
  console.log(
    `  sanctions friction (mean)        ${band(
      col((x) => x.friction),
      2,
    )}`,
  );
  console.log(
    `  violence index, all regions       ${band(
      col((x) => x.violence),
      4,
    )}   VE ${band(
      col((x) => x.violenceVE),
      3,
    )}   MX ${band(
      col((x) => x.violenceMX),
      4,
    )}`,
  );
  console.log(`  excess homicides                  ${band(col((x) => x.excess))}`);
  console.log(
    `  retaliation flashes / succession  ${band(col((x) => x.flashes))} / ${band(col((x) => x.wars))}`,
  );
  console.log(
    `  P(attack on US) a year            ${band(
      col((x) => x.pYear),
      1,
      100,
    )} %   over 2026-2035 ${band(
      col((x) => x.pDecade),
      0,
      100,
    )} %`,
  );
  console.log(
    `  P(attack on US soil) a year       ${band(
      col((x) => x.pSoil),
      1,
      100,
    )} %   over 2026-2035 ${band(
      col((x) => x.pSoilDecade),
      0,
      100,
    )} %`,
  );
  console.log(`  people killed aboard vessels      ${band(col((x) => x.killedAboard))}`);
  console.log(
    `  overdose deaths                   ${band(col((x) => x.deaths))}   change ${band(diff((x) => x.deaths))}`,
  );
  const rel = (f) => m.map((x, i) => (f(base[i]) > 0 ? f(x) / f(base[i]) - 1 : 0));
  console.log(
    `  fentanyl to the US change %       ${band(
      rel((x) => x.fentanylFlow),
      1,
      100,
    )}   fentanyl lab capacity (mean) change % ${band(
      rel((x) => x.fentanylCapacity),
      1,
      100,
    )}   organisations' capital Dec 2035 change % ${band(
      rel((x) => x.capital),
      1,
      100,
    )}`,
  );
  console.log(
    `  economic cost of the crisis $B    ${band(
      col((x) => x.cost),
      0,
      1e-9,
    )}   change ${band(
      diff((x) => x.cost),
      1,
      1e-9,
    )}   of which violence change ${band(
      diff((x) => x.costViolence),
      2,
      1e-9,
    )}`,
  );
}
