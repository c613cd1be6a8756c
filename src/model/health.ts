/**
 * The health model: population compartments in the spirit of SOURCE (Rao et al.) and the
 * Stanford-Lancet model. People misuse prescription opioids (P), have untreated opioid use disorder
 * (U), are in medication treatment (T, MOUD), in remission (R), or use stimulants (S); everyone else
 * is in the general population (G). Overdose hazards respond to fentanyl adulteration and potency on
 * the street-supply interface, to naloxone, to MOUD and to drug checking. Every rate comes from
 * data/parameters/health.json. Deaths are counted by involvement, as in CDC multiple-cause data.
 */

import { normal, poissonApproxAt } from '../core/distributions.js';
import type { TimeAxis } from '../core/time.js';
import type { Scenario } from '../spec/scenario.js';
import { HEALTH_CHANNELS } from './health-channels.js';
import type { Params } from './params.js';
import { monthlyFromYearlyShared } from './series.js';
import { type Module, type SimState, STREET } from './state.js';

/** Compartment indices. */
export const C = { G: 0, P: 1, U: 2, T: 3, R: 4, S: 5, deadOverdose: 6, deadOther: 7 } as const;
export const COMPARTMENTS = 8;
/** Compartment names for reports. */
export const COMPARTMENT_NAMES = [
  'generalPopulation',
  'prescriptionMisuse',
  'oudUntreated',
  'oudInTreatment',
  'remission',
  'stimulantUse',
  'deadOverdose',
  'deadOther',
] as const;

/** Indices into the monthly output record. */
export const OUT = {
  total: 0,
  syntheticOpioids: 1,
  otherOpioids: 2,
  cocaine: 3,
  otherStimulants: 4,
  /** Opioid-overdose deaths among untreated OUD (U) this month. */
  deathsU: 5,
  /** Opioid-overdose deaths among people in MOUD (T) this month. */
  deathsT: 6,
  /** Person-years in U and T this month. */
  personYearsU: 7,
  personYearsT: 8,
  /** Naloxone multiplier on opioid-overdose hazard this month. */
  naloxoneMultiplier: 9,
  /** Deaths involving any opioid this month. */
  opioid: 10,
} as const;
export const OUT_FIELDS = 11;

/** The health module's part of the state. */
export interface HealthState {
  x: Float64Array;
  out: Float64Array;
}

/** Options of the health module. */
export interface HealthOptions {
  /** Draw realised deaths around their expectation (process noise); false gives expected values. */
  stochastic: boolean;
}

/** Create the health module and its initial state. */
export function createHealthModule(
  axis: TimeAxis,
  scenario: Scenario,
  p: Params,
  options: HealthOptions,
): { module: Module; state: HealthState } {
  const dt = 1 / 12;
  const pop = p.get('health.population12Plus');
  const x = new Float64Array(COMPARTMENTS);
  x[C.P] = p.get('health.initialPrescriptionMisuse');
  x[C.U] = p.get('health.initialOudUntreated');
  const capacity = monthlyFromYearlyShared(axis, scenario.history.treatmentCapacity);
  const kits = monthlyFromYearlyShared(axis, scenario.history.naloxoneKits);
  x[C.T] = capacity[0];
  x[C.R] = p.get('health.initialRemission');
  x[C.S] = p.get('health.initialStimulantUse');
  x[C.G] = pop - x[C.P] - x[C.U] - x[C.T] - x[C.R] - x[C.S];
  const out = new Float64Array(OUT_FIELDS);
  const state: HealthState = { x, out };

  // Rates, read once.
  const iP = p.get('health.prescriptionInitiation');
  const qP = p.get('health.prescriptionQuitRate');
  const pToU = p.get('health.prescriptionToOudRate');
  const remU = p.get('health.oudRemissionRate');
  const relapse = p.get('health.relapseRate');
  const entry = p.get('health.moudEntryRate');
  const fill = p.get('health.moudFillRate');
  const dropout = p.get('health.moudDropoutRate');
  const remT = p.get('health.moudRemissionRate');
  const hrT = p.get('health.moudOverdoseHazardRatio');
  const hrR = p.get('health.remissionOverdoseHazardRatio');
  const mu = p.get('health.otherMortalityRate');
  const qS = p.get('health.stimulantQuitRate');
  const etaS = p.get('health.stimulantAvailabilityElasticity');
  const epsU = p.get('health.priceParticipationElasticity');
  const epsS = p.get('health.cocainePriceParticipationElasticity');
  const hP = p.get('health.prescriptionOverdoseHazard');
  const cpe = p.get('health.counterfeitPillExposure');
  const coOther = p.get('health.fentanylCoInvolvementOtherOpioids');
  const opCoc = p.get('health.opioidDeathCocaineShare');
  const opMeth = p.get('health.opioidDeathMethShare');
  const cocShare = p.get('health.stimulantCocaineShare');
  const hOp = p.get('health.opioidOverdoseHazard');
  const betaF = p.get('health.fentanylHazardMultiplier');
  const w = p.get('health.potencyElasticity');
  const potRef = p.get('health.potencyReference');
  const iU = p.get('health.illicitInitiation');
  const hS = p.get('health.stimulantOverdoseHazard');
  const betaS = p.get('health.stimulantFentanylHazardMultiplier');
  const other = p.get('health.otherDrugDeaths');
  const nalMax = p.get('naloxone.maxRateReduction');
  const nalScale = p.get('naloxone.kitsScalePer100k');
  const dcRed = p.get('drugChecking.hazardReduction');
  const dcPerPerson = p.get('drugChecking.stripsPerPersonYear');
  const prevEffect = p.get('prevention.effectAmongReached');
  const cohort = p.get('prevention.cohortSize');
  // Stimulant initiation balances the January 2015 population at 2015 supply (no trend assumed).
  const iS = x[C.S] * (qS + mu + hS);

  const none = new Float64Array(axis.steps);
  let moudSlots: Float64Array = none;
  let nalKits: Float64Array = none;
  let prevParticipants: Float64Array = none;
  let strips: Float64Array = none;
  let bound = false;

  const module: Module = {
    id: 'health',
    step(sim: SimState) {
      const t = sim.t;
      // Lever channels are bound at the first step this module runs (a forked run starts later).
      if (!bound) {
        bound = true;
        moudSlots = sim.channels.get(HEALTH_CHANNELS.moudSlots) ?? none;
        nalKits = sim.channels.get(HEALTH_CHANNELS.naloxoneKits) ?? none;
        prevParticipants = sim.channels.get(HEALTH_CHANNELS.preventionParticipants) ?? none;
        strips = sim.channels.get(HEALTH_CHANNELS.testStrips) ?? none;
      }
      const fen = sim.street.fentanyl;
      const coc = sim.street.cocaine;
      const G = x[C.G];
      const P = x[C.P];
      const U = x[C.U];
      const T = x[C.T];
      const R = x[C.R];
      const S = x[C.S];

      // Responses to levers, each with diminishing returns.
      const per100k = ((kits[t] + nalKits[t]) / pop) * 1e5;
      const nal = 1 - nalMax * (1 - Math.exp(-per100k / nalScale));
      const reach = Math.min(1, prevParticipants[t] / cohort);
      const prevMult = 1 - prevEffect * reach;
      const atRisk = U + S + P * cpe;
      const dcCoverage = atRisk > 0 ? Math.min(1, strips[t] / (atRisk * dcPerPerson)) : 0;
      const dcMult = 1 - dcRed * dcCoverage;

      // Exposure to fentanyl on the street: a share `a` of the opioid supply contains fentanyl and
      // replaces heroin; its hazard is higher by the multiplier, scaled by potency.
      const potencyFactor = (fen[STREET.potency] / potRef) ** w;
      const a = fen[STREET.fentanylAdulteration];
      const aS = coc[STREET.fentanylAdulteration];
      const fenRel = (1 + betaF * potencyFactor) * dcMult;
      const stimFenRel = (1 + betaS * potencyFactor) * dcMult;

      // Expected overdose deaths this month, by component.
      const opBaseRate = hOp * nal * (1 - a);
      const opFenRate = hOp * nal * a * fenRel;
      const wOp = U + hrT * T + hrR * R;
      const eOpBase = opBaseRate * wOp * dt;
      const eOpFen = opFenRate * wOp * dt;
      const ePBase = hP * nal * P * dt;
      const ePFen = hOp * nal * a * fenRel * cpe * P * dt;
      const eSBase = hS * (1 - aS) * S * dt;
      const eSFen = hS * aS * stimFenRel * nal * S * dt;
      const eOther = other * dt;

      let dOpBase = eOpBase;
      let dOpFen = eOpFen;
      let dPBase = ePBase;
      let dPFen = ePFen;
      let dSBase = eSBase;
      let dSFen = eSFen;
      let dOther = eOther;
      if (options.stochastic) {
        const rng = sim.streams.health;
        dOpBase = poissonApproxAt(normal(rng), eOpBase);
        dOpFen = poissonApproxAt(normal(rng), eOpFen);
        dPBase = poissonApproxAt(normal(rng), ePBase);
        dPFen = poissonApproxAt(normal(rng), ePFen);
        dSBase = poissonApproxAt(normal(rng), eSBase);
        dSFen = poissonApproxAt(normal(rng), eSFen);
        dOther = poissonApproxAt(normal(rng), eOther);
      }
      // Split opioid deaths among U, T, R by their weight in the hazard.
      const dOp = dOpBase + dOpFen;
      const shU = wOp > 0 ? U / wOp : 0;
      const shT = wOp > 0 ? (hrT * T) / wOp : 0;
      const dU = Math.min(U, dOp * shU);
      const dT = Math.min(T, dOp * shT);
      const dR = Math.max(0, Math.min(R, dOp - dU - dT));
      const dP = Math.min(P, dPBase + dPFen);
      const dS = Math.min(S, dSBase + dSFen);
      const dG = Math.min(G, dOther);

      // Transitions (expected flows; populations are large).
      const cap = capacity[t] + moudSlots[t];
      const startRx = iP * prevMult * dt;
      const startIllicit = iU * prevMult * fen[STREET.priceIndex] ** epsU * dt;
      const startStim = iS * coc[STREET.availability] ** etaS * coc[STREET.priceIndex] ** epsS * dt;
      const quitP = qP * P * dt;
      const progress = pToU * P * dt;
      const gap = Math.max(0, cap - T);
      const enterT = Math.min(gap * fill * dt, entry * U * dt);
      const leaveTtoU = dropout * T * dt;
      const leaveTtoR = remT * T * dt;
      const remit = remU * U * dt;
      const back = relapse * R * dt;
      const quitS = qS * S * dt;
      const mortU = mu * U * dt;
      const mortT = mu * T * dt;
      const mortR = mu * R * dt;
      const mortS = mu * S * dt;

      x[C.G] = G - startRx - startIllicit - startStim + quitP + quitS - dG;
      x[C.P] = P + startRx - quitP - progress - dP;
      x[C.U] = U + startIllicit + progress + leaveTtoU + back - enterT - remit - mortU - dU;
      x[C.T] = T + enterT - leaveTtoU - leaveTtoR - mortT - dT;
      x[C.R] = R + remit + leaveTtoR - back - mortR - dR;
      x[C.S] = S + startStim - quitS - mortS - dS;
      x[C.deadOverdose] += dU + dT + dR + dP + dS + dG;
      x[C.deadOther] += mortU + mortT + mortR + mortS;

      // Deaths by involvement (a death can count in several groups).
      const opioidDeaths = dU + dT + dR + dP;
      const fenOp = dOp > 0 ? (dU + dT + dR) * (dOpFen / dOp) : 0;
      const fenP = dPBase + dPFen > 0 ? dP * (dPFen / (dPBase + dPFen)) : 0;
      const fenS = dSBase + dSFen > 0 ? dS * (dSFen / (dSBase + dSFen)) : 0;
      out[OUT.total] = opioidDeaths + dS + dG;
      out[OUT.syntheticOpioids] = fenOp + fenP + fenS;
      out[OUT.otherOpioids] = opioidDeaths - fenOp - fenP + coOther * (fenOp + fenP);
      out[OUT.cocaine] = cocShare * dS + opCoc * opioidDeaths;
      out[OUT.otherStimulants] = (1 - cocShare) * dS + opMeth * opioidDeaths;
      out[OUT.deathsU] = dU;
      out[OUT.deathsT] = dT;
      out[OUT.personYearsU] = U * dt;
      out[OUT.personYearsT] = T * dt;
      out[OUT.naloxoneMultiplier] = nal;
      out[OUT.opioid] = opioidDeaths + fenS;
    },
  };
  return { module, state };
}
