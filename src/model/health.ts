/**
 * The health model (health-2): an open cohort in the spirit of SOURCE (Rao et al.) and the
 * Stanford-Lancet model. People misuse prescription opioids (P), have untreated opioid use disorder
 * (U), are in medication treatment (T, MOUD), in remission (R), use cocaine (S) or methamphetamine
 * (M); everyone else is in the general population (G). People start (initiation, which falls at a
 * rate fitted to the history), stop (remission, quitting, ageing out of the at-risk population back
 * into G), die of other causes, and die of overdose.
 *
 * Opioid-overdose hazards respond to the fentanyl street supply through exposures smoothed with a
 * fitted lag: the share of the opioid supply that is fentanyl, a hyperbolic (not exponential) map of
 * availability, and the hazard multiplier of fentanyl, which scales with pill potency (share of
 * pills >= 2 mg) without a cap. A route shift from injecting to smoking lowers the opioid hazard
 * along a ramp dated by SUDORS; the pandemic raises it from March 2020 (using alone, services
 * disrupted). Naloxone averts deaths through a kits-to-deaths chain (deaths averted per kit
 * distributed, approaching the share of deaths naloxone can reach), so a kit keeps its published
 * effect until distribution nears that share. MOUD lowers the overdose hazard by Sordo et al.'s ratio. Every rate comes from
 * data/parameters/health.json. Deaths are counted by involvement, as in CDC multiple-cause data:
 * stimulant users exposed to fentanyl die as synthetic-opioid deaths too, the others as stimulant-only
 * deaths (health-2: fitted to NCHS's counts without opioids); the stimulant shares of opioid deaths
 * apply in full to fentanyl-involved deaths and, times a ratio, to the others; the pandemic step acts
 * on stimulant hazards as well.
 */

import { normal, poissonApproxAt } from '../core/distributions.js';
import type { TimeAxis } from '../core/time.js';
import type { Scenario } from '../spec/scenario.js';
import { HEALTH_CHANNELS } from './health-channels.js';
import type { Params } from './params.js';
import { monthlyFromYearlyShared } from './series.js';
import { type Module, type SimState, STREET } from './state.js';

/** Compartment indices (methamphetamine use appended after the dead, so earlier indices hold). */
export const C = { G: 0, P: 1, U: 2, T: 3, R: 4, S: 5, deadOverdose: 6, deadOther: 7, M: 8 } as const;
export const COMPARTMENTS = 9;
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
  'methamphetamineUse',
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
  /** Opioid-overdose deaths averted by naloxone this month (expected). */
  naloxoneAverted: 11,
  /** New initiates into prescription misuse, illicit OUD, cocaine and methamphetamine use this month. */
  initiation: 12,
  /** Deaths involving cocaine and no opioid this month (stimulant users' deaths without fentanyl). */
  cocaineNoOpioid: 13,
  /** Deaths involving psychostimulants (methamphetamine) and no opioid this month. */
  psychostimulantsNoOpioid: 14,
} as const;
export const OUT_FIELDS = 15;

/** The health module's part of the state. */
export interface HealthState {
  x: Float64Array;
  out: Float64Array;
  /** Smoothed (lagged) exposures: fentanyl adulteration, pill potency, and the potency users are tolerant to. */
  lag: Float64Array;
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
  const meth = scenario.history.methamphetamine
    ? monthlyFromYearlyShared(axis, scenario.history.methamphetamine)
    : new Float64Array(axis.steps).fill(1);
  x[C.T] = capacity[0];
  x[C.R] = p.get('health.initialRemission');
  x[C.S] = p.get('health.initialStimulantUse');
  x[C.M] = p.get('health.initialMethUse');
  x[C.G] = pop - x[C.P] - x[C.U] - x[C.T] - x[C.R] - x[C.S] - x[C.M];
  const out = new Float64Array(OUT_FIELDS);
  const lag = new Float64Array(3).fill(Number.NaN);
  const state: HealthState = { x, out, lag };

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
  const age = p.get('health.ageingOutRate');
  const initDecline = p.get('health.initiationDeclineRate');
  const qS = p.get('health.stimulantQuitRate');
  const etaS = p.get('health.stimulantAvailabilityElasticity');
  const epsU = p.get('health.priceParticipationElasticity');
  const epsS = p.get('health.cocainePriceParticipationElasticity');
  const hP = p.get('health.prescriptionOverdoseHazard');
  const cpe = p.get('health.counterfeitPillExposure');
  const coOther = p.get('health.fentanylCoInvolvementOtherOpioids');
  const opCoc = p.get('health.opioidDeathCocaineShare');
  const opMeth = p.get('health.opioidDeathMethShare');
  const nfCo = p.get('health.nonFentanylStimulantCoInvolvementRatio');
  const hOp = p.get('health.opioidOverdoseHazard');
  const betaF = p.get('health.fentanylHazardMultiplier');
  const w = p.get('health.potencyElasticity');
  const potRef = p.get('health.potencyReference');
  const tau = p.get('health.exposureLagYears');
  const tolV = p.get('health.toleranceElasticity');
  const tolTau = p.get('health.toleranceLagYears');
  const routeRed = p.get('health.routeShiftHazardReduction');
  const routeFrom = p.get('health.routeShiftStartYear');
  const routeTo = p.get('health.routeShiftEndYear');
  const covid = p.get('health.pandemicHazardIncrease');
  const covidFrom = p.get('health.pandemicStartYear');
  const iU = p.get('health.illicitInitiation');
  const hS = p.get('health.stimulantOverdoseHazard');
  const betaS = p.get('health.stimulantFentanylHazardMultiplier');
  const qM = p.get('health.methQuitRate');
  const etaM = p.get('health.methAvailabilityElasticity');
  const hM = p.get('health.methOverdoseHazard');
  const other = p.get('health.otherDrugDeaths');
  const nalCap = p.get('naloxone.maxRateReduction');
  const nalPerKit = p.get('naloxone.deathsAvertedPerKit');
  const dcRed = p.get('drugChecking.hazardReduction');
  const dcPerPerson = p.get('drugChecking.stripsPerPersonYear');
  const prevEffect = p.get('prevention.effectAmongReached');
  const cohort = p.get('prevention.cohortSize');
  // Stimulant initiation balances the January 2015 populations at 2015 supply (no trend assumed).
  const iS = x[C.S] * (qS + mu + age + hS);
  const iM = x[C.M] * (qM + mu + age + hM);
  const meth0 = meth[0] > 0 ? meth[0] : 1;
  // Exponential smoothing weight per month for the lagged exposures.
  const smooth = 1 - Math.exp(-dt / tau);
  const smoothTol = 1 - Math.exp(-dt / tolTau);

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
      const M = x[C.M];
      const year = axis.firstYear + (t + 0.5) / 12;

      // Lagged exposures (first month: the current value).
      if (Number.isNaN(lag[0])) {
        lag[0] = fen[STREET.fentanylAdulteration];
        lag[1] = fen[STREET.potency];
        lag[2] = fen[STREET.potency];
      } else {
        lag[0] += (fen[STREET.fentanylAdulteration] - lag[0]) * smooth;
        lag[1] += (fen[STREET.potency] - lag[1]) * smooth;
        lag[2] += (lag[1] - lag[2]) * smoothTol;
      }
      const a = lag[0];
      const aS = coc[STREET.fentanylAdulteration];

      // Responses to levers.
      const reach = Math.min(1, prevParticipants[t] / cohort);
      const prevMult = 1 - prevEffect * reach;
      const atRisk = U + S + M + P * cpe;
      const dcCoverage = atRisk > 0 ? Math.min(1, strips[t] / (atRisk * dcPerPerson)) : 0;
      const dcMult = 1 - dcRed * dcCoverage;
      // Route shift from injecting to smoking: a linear ramp between the SUDORS dates.
      const ramp = Math.min(1, Math.max(0, (year - routeFrom) / (routeTo - routeFrom)));
      const pandemic = year >= covidFrom ? 1 + covid : 1;
      const route = (1 - routeRed * ramp) * pandemic;

      // Exposure to fentanyl: a share `a` of the opioid supply contains fentanyl and replaces heroin;
      // its hazard is higher by the multiplier, scaled by potency with no ceiling.
      // Tolerance: users adapt to the potency they meet with a longer lag; potency above what they are
      // used to raises the hazard, potency below it lowers it.
      const pot = Math.max(lag[1], 1e-6);
      const potencyFactor = (pot / potRef) ** w;
      const tolerance = (pot / Math.max(lag[2], 1e-6)) ** tolV;
      const fenRel = (1 + betaF * potencyFactor) * tolerance * dcMult;
      const stimFenRel = (1 + betaS * potencyFactor) * tolerance * dcMult;

      // Expected opioid-overdose deaths this month without naloxone, by component.
      const wOp = U + hrT * T + hrR * R;
      const e0OpBase = hOp * route * (1 - a) * wOp * dt;
      const e0OpFen = hOp * route * a * fenRel * wOp * dt;
      const e0PBase = hP * P * dt;
      const e0PFen = hOp * route * a * fenRel * cpe * P * dt;
      const e0SFen = hS * pandemic * aS * stimFenRel * S * dt;
      const e0MFen = hM * pandemic * aS * stimFenRel * M * dt;
      // Naloxone: deaths averted = kits distributed x deaths averted per kit while few deaths are
      // reached, approaching the share of opioid-involved deaths naloxone can reach (witnessed
      // overdoses) smoothly: averted = cap·E·(1 − exp(−kits·perKit / (cap·E))), E the expected
      // deaths without naloxone. Applied as one multiplier on opioid hazards.
      const e0Opioid = e0OpBase + e0OpFen + e0PBase + e0PFen + e0SFen + e0MFen;
      const reachable = nalCap * e0Opioid;
      const averted =
        reachable > 0
          ? reachable * (1 - Math.exp(-((kits[t] + nalKits[t]) * dt * nalPerKit) / reachable))
          : 0;
      const nal = e0Opioid > 0 ? 1 - averted / e0Opioid : 1;

      const eOpBase = e0OpBase * nal;
      const eOpFen = e0OpFen * nal;
      const ePBase = e0PBase * nal;
      const ePFen = e0PFen * nal;
      const eSBase = hS * pandemic * (1 - aS) * S * dt;
      const eSFen = e0SFen * nal;
      const eMBase = hM * pandemic * (1 - aS) * M * dt;
      const eMFen = e0MFen * nal;
      const eOther = other * dt;

      let dOpBase = eOpBase;
      let dOpFen = eOpFen;
      let dPBase = ePBase;
      let dPFen = ePFen;
      let dSBase = eSBase;
      let dSFen = eSFen;
      let dMBase = eMBase;
      let dMFen = eMFen;
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
        dMBase = poissonApproxAt(normal(rng), eMBase);
        dMFen = poissonApproxAt(normal(rng), eMFen);
      }
      // Split opioid deaths among U, T, R by their weight in the hazard.
      const dOp = dOpBase + dOpFen;
      const shU = wOp > 0 ? U / wOp : 0;
      const shT = wOp > 0 ? (hrT * T) / wOp : 0;
      let dU = Math.min(U, dOp * shU);
      let dT = Math.min(T, dOp * shT);
      let dR = Math.max(0, Math.min(R, dOp - dU - dT));
      let dP = Math.min(P, dPBase + dPFen);
      let dS = Math.min(S, dSBase + dSFen);
      let dM = Math.min(M, dMBase + dMFen);
      let dG = Math.min(G, dOther);

      // Transitions (expected flows; populations are large).
      const decline = Math.exp(-initDecline * Math.max(0, year - axis.firstYear));
      const cap = capacity[t] + moudSlots[t];
      let startRx = iP * decline * prevMult * dt;
      let startIllicit = iU * decline * prevMult * fen[STREET.priceIndex] ** epsU * dt;
      let startStim = iS * coc[STREET.availability] ** etaS * coc[STREET.priceIndex] ** epsS * dt;
      let startMeth = iM * (Math.max(meth[t], 1e-9) / meth0) ** etaM * dt;
      let quitP = (qP + age) * P * dt;
      let progress = pToU * P * dt;
      const gap = Math.max(0, cap - T);
      let enterT = Math.min(gap * fill * dt, entry * U * dt);
      let leaveTtoU = dropout * T * dt;
      let leaveTtoR = remT * T * dt;
      let remit = remU * U * dt;
      let back = relapse * R * dt;
      let quitS = (qS + age) * S * dt;
      let quitM = (qM + age) * M * dt;
      let ageU = age * U * dt;
      let ageR = age * R * dt;
      let mortU = mu * U * dt;
      let mortT = mu * T * dt;
      let mortR = mu * R * dt;
      let mortS = mu * S * dt;
      let mortM = mu * M * dt;

      // Competing risks: the flows out of a compartment in a month cannot take more than it holds.
      // Where their sum would (extreme street supply or rates), each is scaled by stock / sum, so
      // they keep their proportions and the compartment empties to exactly zero; otherwise nothing
      // changes (ordinary runs are unchanged bit for bit).
      const kG = shareOut(G, startRx + startIllicit + startStim + startMeth + dG);
      if (kG < 1) {
        startRx *= kG;
        startIllicit *= kG;
        startStim *= kG;
        startMeth *= kG;
        dG *= kG;
      }
      const kP = shareOut(P, quitP + progress + dP);
      if (kP < 1) {
        quitP *= kP;
        progress *= kP;
        dP *= kP;
      }
      const kU = shareOut(U, enterT + remit + ageU + mortU + dU);
      if (kU < 1) {
        enterT *= kU;
        remit *= kU;
        ageU *= kU;
        mortU *= kU;
        dU *= kU;
      }
      const kT = shareOut(T, leaveTtoU + leaveTtoR + mortT + dT);
      if (kT < 1) {
        leaveTtoU *= kT;
        leaveTtoR *= kT;
        mortT *= kT;
        dT *= kT;
      }
      const kR = shareOut(R, back + ageR + mortR + dR);
      if (kR < 1) {
        back *= kR;
        ageR *= kR;
        mortR *= kR;
        dR *= kR;
      }
      const kS = shareOut(S, quitS + mortS + dS);
      if (kS < 1) {
        quitS *= kS;
        mortS *= kS;
        dS *= kS;
      }
      const kM = shareOut(M, quitM + mortM + dM);
      if (kM < 1) {
        quitM *= kM;
        mortM *= kM;
        dM *= kM;
      }

      // A compartment whose outflows were scaled keeps only its inflows (its stock left in full).
      x[C.G] =
        kG < 1
          ? quitP + quitS + quitM + ageU + ageR
          : G - startRx - startIllicit - startStim - startMeth + quitP + quitS + quitM + ageU + ageR - dG;
      x[C.P] = kP < 1 ? startRx : P + startRx - quitP - progress - dP;
      x[C.U] =
        kU < 1
          ? startIllicit + progress + leaveTtoU + back
          : U + startIllicit + progress + leaveTtoU + back - enterT - remit - ageU - mortU - dU;
      x[C.T] = kT < 1 ? enterT : T + enterT - leaveTtoU - leaveTtoR - mortT - dT;
      x[C.R] = kR < 1 ? remit + leaveTtoR : R + remit + leaveTtoR - back - ageR - mortR - dR;
      x[C.S] = kS < 1 ? startStim : S + startStim - quitS - mortS - dS;
      x[C.M] = kM < 1 ? startMeth : M + startMeth - quitM - mortM - dM;
      x[C.deadOverdose] += dU + dT + dR + dP + dS + dM + dG;
      x[C.deadOther] += mortU + mortT + mortR + mortS + mortM;

      // Deaths by involvement (a death can count in several groups).
      const opioidDeaths = dU + dT + dR + dP;
      const fenOp = dOp > 0 ? (dU + dT + dR) * (dOpFen / dOp) : 0;
      const fenP = dPBase + dPFen > 0 ? dP * (dPFen / (dPBase + dPFen)) : 0;
      const fenS = dSBase + dSFen > 0 ? dS * (dSFen / (dSBase + dSFen)) : 0;
      const fenM = dMBase + dMFen > 0 ? dM * (dMFen / (dMBase + dMFen)) : 0;
      out[OUT.total] = opioidDeaths + dS + dM + dG;
      out[OUT.syntheticOpioids] = fenOp + fenP + fenS + fenM;
      out[OUT.otherOpioids] = opioidDeaths - fenOp - fenP + coOther * (fenOp + fenP);
      // Stimulants co-involved in opioid deaths: the shares apply in full to fentanyl-involved deaths and
      // scaled by nfCo < 1 to the others (stimulant co-use rose with fentanyl; NCHS Data Briefs 406, 474).
      const coBase = fenOp + fenP + nfCo * (opioidDeaths - fenOp - fenP);
      out[OUT.cocaine] = dS + opCoc * coBase;
      out[OUT.otherStimulants] = dM + opMeth * coBase;
      out[OUT.deathsU] = dU;
      out[OUT.deathsT] = dT;
      out[OUT.personYearsU] = U * dt;
      out[OUT.personYearsT] = T * dt;
      out[OUT.naloxoneMultiplier] = nal;
      out[OUT.opioid] = opioidDeaths + fenS + fenM;
      out[OUT.naloxoneAverted] = averted;
      out[OUT.initiation] = startRx + startIllicit + startStim + startMeth;
      out[OUT.cocaineNoOpioid] = dS - fenS;
      out[OUT.psychostimulantsNoOpioid] = dM - fenM;
    },
  };
  return { module, state };
}

/**
 * The factor that scales outflows totalling `total` down to the `stock` they leave: 1 when they fit
 * (or the total is not a number), stock / total (in [0, 1)) when they would take more than is there.
 */
function shareOut(stock: number, total: number): number {
  return total > stock ? Math.max(0, stock) / total : 1;
}
