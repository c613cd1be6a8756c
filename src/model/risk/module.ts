/**
 * The risk module (issue 13), stepped after health each month. It reads what the supply module
 * recorded this month (strikes at sea and on land by sovereignty, people killed aboard struck
 * vessels; src/model/supply/records.ts) and the lever channels, and keeps:
 *
 * - **harm from strikes**, never folded into a total: people killed aboard (the supply module's
 *   count) of whom some are missing at sea, survivors at sea, people killed at the targets of strikes
 *   on land, and bystander civilians killed at sea, in remote and in populated settings. Bystander
 *   shares interpolate between good- and poor-intelligence values (RISK-EVIDENCE.md: 2-15% remote
 *   with good intelligence, up to 30-40% poor or populated); counts are drawn (Poisson, by inversion
 *   of one uniform each, so draws are monotone in the mean and aligned across policies) from the
 *   run's `risk` stream. Shares are from independent counts (TBIJ, New America, Airwars), not
 *   official acknowledgements.
 * - **tension per country** (data/risk/actors.json): raised by strikes in its territory or waters,
 *   deaths of its nationals aboard struck vessels, sanctions on its officials (channel
 *   `finance.officials.{country}`, missing = zero), border measures on the border neighbour, and for
 *   partners by lethal strikes at sea on the corridors they operate; eased by a half-life and by the
 *   `risk-easing` levers (diplomacy and aid, negotiation). A separate regional-concern stock takes a
 *   share of every sovereign strike in the region; it lowers the regional-ties index but never
 *   triggers a crisis with a country that was not struck.
 * - **crises**: above a threshold a country breaks into diplomatic crisis, a partner suspends
 *   intelligence sharing and joint operations, a country with ties to rival powers moves closer to
 *   them (monthly hazards, drawn; crises end with hysteresis). A suspended partner scales detection
 *   on the corridors it operated by 1 - its share of interdiction there, read by the supply step the
 *   next month (`SupplyState.detectionScale`).
 *
 * Every number is a parameter in data/parameters/risk.json (labelled judgements with ranges).
 */

import { poissonAt } from '../../core/distributions.js';
import type { TimeAxis } from '../../core/time.js';
import { leverCatalogue, supplyLevers } from '../levers.js';
import type { Params } from '../params.js';
import type { Module, SimState } from '../state.js';
import type { SupplyState } from '../supply/state.js';
import { ACTORS, riskParameterFile } from './data.js';

/** This month's readings (index into `RiskState.now`), read by the declared outcomes. */
export const NOW = {
  killedInStrikes: 0,
  missingAtSea: 1,
  survivorsAtSea: 2,
  killedOnLand: 3,
  bystandersAtSea: 4,
  bystandersRemote: 5,
  bystandersPopulated: 6,
  bystandersKilled: 7,
  crisisOnsets: 8,
  countriesInCrisis: 9,
  partnerOnsets: 10,
  partnersSuspended: 11,
  regionalTies: 12,
  rivalAlignment: 13,
  countriesEverInCrisis: 14,
  partnersEverSuspended: 15,
  /** Countries in crisis this month, and partners suspending cooperation this month (summed a year: months). */
  crisisMonthsAll: 16,
  partnerMonths: 17,
} as const;
const NOW_FIELDS = 18;

/** Draw slots a month for harm; slots beyond are the actors' crisis and rival draws. */
const HARM_DRAWS = 6;

/** The risk module's part of the state: everything the monthly step mutates (walked when forking). */
export interface RiskState {
  /** Tension with each actor (drives its crises), and regional concern (drives regional ties only). */
  tension: Float64Array;
  concern: Float64Array;
  /** 1 while in diplomatic crisis / while a partner suspends cooperation; months since it began. */
  crisis: Float64Array;
  crisisAge: Float64Array;
  suspended: Float64Array;
  suspendedAge: Float64Array;
  /** 1 once the actor has moved closer to rival powers. */
  aligned: Float64Array;
  /** 1 if in crisis / suspended at any time this calendar year (reset in January). */
  crisisYear: Float64Array;
  suspendedYear: Float64Array;
  /** 1 once the actor has been in crisis / has suspended cooperation in this run. */
  everCrisis: Float64Array;
  everSuspended: Float64Array;
  /** Months in crisis this calendar year, by actor. */
  crisisMonths: Float64Array;
  /** Share of interdiction lost on each partner corridor this month (the scale is 1 - it). */
  lost: Float64Array;
  /** This month's readings (see NOW). */
  now: Float64Array;
  /** Harm summed over the run (people), for quick reads. */
  totals: Float64Array;
  /** [0]: the run's random key (drawn from the `risk` stream in the first month); [1]: 1 once anything happened. */
  flags: Float64Array;
}

/** Corridors on which a partner has a share of interdiction (from the parameter declarations). */
export const PARTNER_CORRIDORS: readonly string[] = (() => {
  const out = new Set<string>();
  for (const id of Object.keys(riskParameterFile())) {
    const m = /^risk\.partner\.[A-Z]{2}\.share\.(.+)$/.exec(id);
    if (m) out.add(m[1]);
  }
  return [...out].sort();
})();

/** Declarations the module reads once (they depend on no run): lever channels, easing rates. */
let statics:
  | {
      /** Vessel-strike channels by corridor target. */
      sea: { target: string; channel: string }[];
      /** Easing levers by channel segment (`risk.<name>.{target}`). */
      easing: Map<string, { parameter: string; perUnit: number }>;
    }
  | undefined;
function staticsOf() {
  if (statics) return statics;
  const sea: { target: string; channel: string }[] = [];
  for (const lever of supplyLevers()) {
    if (lever.effect.kind !== 'vessel-strikes') continue;
    for (const target of lever.targets ?? [])
      if (!sea.some((x) => x.target === target))
        sea.push({ target, channel: lever.channel.replace('{target}', target) });
  }
  const easing = new Map<string, { parameter: string; perUnit: number }>();
  for (const lever of leverCatalogue().values()) {
    const e = lever.effect as { kind: string; easingParameter?: string; perUnit?: number };
    const m = /^risk\.([a-z-]+)\.\{target\}$/.exec(lever.channel);
    if (e.kind === 'risk-easing' && m && e.easingParameter && e.perUnit)
      easing.set(m[1], { parameter: e.easingParameter, perUnit: e.perUnit });
  }
  statics = { sea, easing };
  return statics;
}

/** The legs of each partner corridor, per commodity of a compiled network (cached per network). */
const corridorLegs = new WeakMap<object, Int32Array[][]>();
function legsOf(supply: SupplyState): Int32Array[][] {
  let legs = corridorLegs.get(supply.compiled);
  if (!legs) {
    legs = supply.compiled.commodities.map((c) =>
      PARTNER_CORRIDORS.map((cor) =>
        Int32Array.from(c.net.edges.flatMap((e, i) => (e.corridor === cor ? [i] : []))),
      ),
    );
    corridorLegs.set(supply.compiled, legs);
  }
  return legs;
}

/**
 * A uniform in (0, 1) for (key, month, slot): a counter-based draw (two rounds of the lowbias32
 * integer hash), so a month draws only what it needs and the same (month, slot) gets the same number
 * in every policy of a paired comparison (common random numbers). The run's key is the first draw
 * of its `risk` stream.
 */
function uniformAt(key: number, t: number, slot: number): number {
  let x = (key ^ Math.imul(t + 1, 0x9e3779b1)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  x = (x ^ Math.imul(slot + 1, 0x85ebca77)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return ((x >>> 0) + 0.5) / 4294967296;
}

/** Create the risk module of one run (after supply and health in the step order). */
export function createRiskModule(
  axis: TimeAxis,
  params: Params,
  supply: SupplyState,
  channels: Map<string, Float64Array>,
  options: { stochastic: boolean },
): { module: Module; state: RiskState } {
  const g = (id: string) => params.get(id);
  const has = (id: string) => params.has(id);
  const n = ACTORS.length;
  const steps = axis.steps;
  const zero = new Float64Array(steps);
  const ch = (name: string) => channels.get(name) ?? zero;

  // Harm parameters.
  const missingShare = g('risk.harm.missingShareAtSea');
  const survivorsPerVessel = g('risk.harm.survivorsPerVessel');
  const q = Math.min(1, Math.max(0, g('risk.harm.intelligenceQuality')));
  const share = (good: string, poor: string) => g(good) + (g(poor) - g(good)) * (1 - q);
  const seaCiv = share('risk.harm.atSea.civilianShareGoodIntel', 'risk.harm.atSea.civilianSharePoorIntel');
  const remoteCiv = share(
    'risk.harm.remote.civilianShareGoodIntel',
    'risk.harm.remote.civilianSharePoorIntel',
  );
  const popCiv = share(
    'risk.harm.populated.civilianShareGoodIntel',
    'risk.harm.populated.civilianSharePoorIntel',
  );
  // Bystanders per person killed at the target: civilian share s of all deaths -> s / (1 - s).
  const remoteRatio = remoteCiv / Math.max(1e-9, 1 - remoteCiv);
  const popRatio = popCiv / Math.max(1e-9, 1 - popCiv);
  const killedPerLand = g('risk.harm.killedPerLandStrike');
  const popShare = Math.min(1, Math.max(0, g('risk.harm.populatedShareOfLandStrikes')));

  // Tension parameters.
  const baseDecay = Math.LN2 / Math.max(0.1, g('risk.tension.halfLifeMonths'));
  const wLand = g('risk.tension.perLandStrike');
  const wNational = g('risk.tension.perNationalKilled');
  const spill = g('risk.tension.regionalSpillover');
  const concernCap = g('risk.tension.regionalConcernCap');
  const wSanction = g('risk.tension.perSanctionUnitYear') / 12;
  const wPort = g('risk.tension.perBorderPointYear') / 12;
  const wAgents = g('risk.tension.perThousandAgentsYear') / 12;
  const crisisThreshold = g('risk.crisis.threshold');
  const hazard = g('risk.crisis.hazard');
  const resume = g('risk.crisis.resumeFraction');
  const partnerThreshold = g('risk.partner.threshold');
  const minMonths = g('risk.partner.minMonths');
  const rivalThreshold = g('risk.rival.threshold');

  const fixed = staticsOf();
  // Vessel-strike channels by corridor, those the policy uses.
  const seaCorridors: string[] = [];
  const seaChannels: Float64Array[] = [];
  for (const x of fixed.sea) {
    const arr = channels.get(x.channel);
    if (!arr) continue;
    seaCorridors.push(x.target);
    seaChannels.push(arr);
  }
  const nSea = seaCorridors.length;
  const seaShare = new Float64Array(nSea);
  // Nationals killed per person killed aboard on each corridor, by actor (row-major corridor x actor).
  const nationals = new Float64Array(nSea * n);
  // Partner sensitivity to strikes at sea on each corridor it operates (corridor x actor).
  const partnerSea = new Float64Array(nSea * n);
  seaCorridors.forEach((cor, k) => {
    ACTORS.forEach((a, i) => {
      const nat = `risk.nationals.${cor}.${a.id}`;
      if (has(nat)) nationals[k * n + i] = g(nat);
      const sh = `risk.partner.${a.id}.share.${cor}`;
      if (a.partner && has(sh) && g(sh) > 0)
        partnerSea[k * n + i] = g(`risk.partner.${a.id}.seaStrikeWeight`);
    });
  });

  // Partner shares of interdiction by corridor.
  const nCor = PARTNER_CORRIDORS.length;
  const partnerShare = new Float64Array(nCor * n);
  PARTNER_CORRIDORS.forEach((cor, k) => {
    ACTORS.forEach((a, i) => {
      const sh = `risk.partner.${a.id}.share.${cor}`;
      if (a.partner && has(sh)) partnerShare[k * n + i] = g(sh);
    });
  });
  // The scale arrays the supply step reads, with the legs of each partner corridor.
  const legs = legsOf(supply);
  const scaleTargets = supply.compiled.commodities
    .map((c, j) => ({ scale: supply.detectionScale[c.commodity], edges: legs[j] }))
    .filter((x) => x.edges.some((e) => e.length > 0));

  // Per-actor channels: sanctions on officials, the easing levers, border measures.
  const sanctionCh = ACTORS.map((a) => channels.get(`finance.officials.${a.id}`) ?? null);
  const easingOf: { rate: number; intensity: Float64Array }[][] = ACTORS.map(() => []);
  for (const [name, arr] of channels) {
    const m = /^risk\.([a-z-]+)\.([A-Z]{2})$/.exec(name);
    if (!m) continue;
    const i = ACTORS.findIndex((a) => a.id === m[2]);
    const rate = fixed.easing.get(m[1]);
    if (i >= 0 && rate) easingOf[i].push({ rate: rate.perUnit * g(rate.parameter), intensity: arr });
  }
  const ports = ch('supply.inspection.ports-of-entry');
  const agents = ch('supply.inspection.between-ports');
  const inputChannels = [ports, agents, ...sanctionCh.filter((x): x is Float64Array => x !== null)];
  const isBorder = Uint8Array.from(ACTORS, (a) => (a.border ? 1 : 0));
  const isRegional = Uint8Array.from(ACTORS, (a) => (a.regional ? 1 : 0));
  const isPartner = Uint8Array.from(ACTORS, (a) => (a.partner ? 1 : 0));
  const hasRival = Uint8Array.from(ACTORS, (a) => (a.rivalTies ? 1 : 0));
  const nRegional = isRegional.reduce((s, x) => s + x, 0);
  const sovereignty = supply.events.strikesBySovereignty;
  const bySetting = supply.events.strikesBySetting;
  const ids = ACTORS.map((a) => a.id);

  const state: RiskState = {
    tension: new Float64Array(n),
    concern: new Float64Array(n),
    crisis: new Float64Array(n),
    crisisAge: new Float64Array(n),
    suspended: new Float64Array(n),
    suspendedAge: new Float64Array(n),
    aligned: new Float64Array(n),
    crisisYear: new Float64Array(n),
    suspendedYear: new Float64Array(n),
    everCrisis: new Float64Array(n),
    everSuspended: new Float64Array(n),
    crisisMonths: new Float64Array(n),
    lost: new Float64Array(nCor),
    now: new Float64Array(NOW_FIELDS),
    totals: new Float64Array(NOW_FIELDS),
    flags: new Float64Array(2),
  };
  state.now[NOW.regionalTies] = 1;
  const land = new Float64Array(n);
  const stochastic = options.stochastic;
  const baseKeep = Math.exp(-baseDecay);
  const onsetP = (x: number, threshold: number) =>
    x > threshold ? 1 - Math.exp((-hazard * (x - threshold)) / threshold) : 0;

  const module: Module = {
    id: 'risk',
    step(sim: SimState) {
      const t = sim.t;
      const s = state;
      const flags = s.flags;
      if (t === 0) flags[0] = sim.streams.risk.nextU32();
      const ev = supply.events;
      const aboard = ev.deathsAboard[t];
      const vessels = ev.strikesAtSea[t];
      const landStrikes = ev.strikesOnLand[t];
      // Nothing has happened and nothing happens this month: every reading stays as it is.
      if (flags[1] === 0) {
        let quiet = aboard === 0 && vessels === 0 && landStrikes === 0;
        for (let k = 0; quiet && k < inputChannels.length; k++) if (inputChannels[k][t] !== 0) quiet = false;
        if (quiet) return;
        flags[1] = 1;
      }
      const key = flags[0];
      /** Onset draw: with process noise a uniform against p; without, onset when p >= 1/2. */
      const happens = (slot: number, p: number) =>
        p <= 0 ? false : stochastic ? uniformAt(key, t, slot) < p : p >= 0.5;
      const poisson = (slot: number, mean: number) =>
        mean <= 0 ? 0 : stochastic ? poissonAt(uniformAt(key, t, slot), mean) : mean;
      const now = s.now;
      if (t % 12 === 0) {
        s.crisisYear.fill(0);
        s.suspendedYear.fill(0);
        s.crisisMonths.fill(0);
      }
      // Harm at sea: the supply module's deaths aboard, of whom some are missing; survivors; bystanders.
      now[NOW.missingAtSea] = aboard * missingShare;
      now[NOW.survivorsAtSea] = poisson(0, vessels * survivorsPerVessel);
      // Bystanders at sea are among the people killed aboard (not added to the deaths).
      now[NOW.bystandersAtSea] = Math.min(aboard, poisson(1, aboard * seaCiv));
      // Strikes on land: killed at the target, bystanders by setting. The supply module records the
      // setting of each strike (data/network/strike-settings.json); strikes it leaves without one
      // are shared out by risk.harm.populatedShareOfLandStrikes.
      const remoteRec = bySetting.remote[t];
      const popRec = bySetting.populated[t];
      const unassigned = Math.max(0, landStrikes - remoteRec - popRec);
      const kRemote = poisson(2, (remoteRec + unassigned * (1 - popShare)) * killedPerLand);
      const kPop = poisson(3, (popRec + unassigned * popShare) * killedPerLand);
      const bRemote = poisson(4, kRemote * remoteRatio);
      const bPop = poisson(5, kPop * popRatio);
      now[NOW.killedOnLand] = kRemote + kPop;
      now[NOW.bystandersRemote] = bRemote;
      now[NOW.bystandersPopulated] = bPop;
      now[NOW.bystandersKilled] = now[NOW.bystandersAtSea] + bRemote + bPop;
      now[NOW.killedInStrikes] = aboard + kRemote + kPop + bRemote + bPop;

      // Strikes at sea by corridor: the month's strikes shared out by the corridors' lever intensities.
      let seaTotal = 0;
      for (let k = 0; k < nSea; k++) {
        seaShare[k] = seaChannels[k][t];
        seaTotal += seaShare[k];
      }
      // Sovereign strikes (territory or waters) by actor, and the region's total.
      let regionalLand = 0;
      for (let i = 0; i < n; i++) {
        const row = sovereignty.get(ids[i]);
        land[i] = row ? row[t] : 0;
        if (isRegional[i]) regionalLand += land[i];
      }
      let onsets = 0;
      let partnerOnsets = 0;
      let inCrisis = 0;
      let suspendedNow = 0;
      let ties = 0;
      let aligned = 0;
      let everCrisis = 0;
      let everSuspended = 0;
      let crisisNow = 0;
      let partnerNow = 0;
      for (let i = 0; i < n; i++) {
        const eas = easingOf[i];
        let keep = baseKeep;
        if (eas.length > 0) {
          let decay = baseDecay;
          for (const e of eas) decay += e.rate * e.intensity[t];
          keep = Math.exp(-decay);
        }
        let input = wLand * land[i];
        if (seaTotal > 0) {
          for (let k = 0; k < nSea; k++) {
            const f = seaShare[k] / seaTotal;
            input += wNational * aboard * f * nationals[k * n + i] + partnerSea[k * n + i] * vessels * f;
          }
        }
        const sc = sanctionCh[i];
        if (sc) input += wSanction * sc[t];
        if (isBorder[i]) input += wPort * ports[t] + wAgents * agents[t];
        const x = s.tension[i] * keep + input;
        s.tension[i] = x;
        if (isRegional[i]) {
          s.concern[i] = s.concern[i] * keep + spill * wLand * (regionalLand - land[i]);
          ties += Math.min(1, x / crisisThreshold + Math.min(concernCap, s.concern[i] / crisisThreshold));
          // Diplomatic crisis (regional countries; partners outside the region react by suspending).
          if (s.crisis[i] === 0) {
            if (happens(HARM_DRAWS + i, onsetP(x, crisisThreshold))) {
              s.crisis[i] = 1;
              s.crisisAge[i] = 0;
              onsets++;
            }
          } else {
            s.crisisAge[i]++;
            if (x < resume * crisisThreshold) s.crisis[i] = 0;
          }
        }
        if (s.crisis[i] === 1) {
          s.crisisYear[i] = 1;
          s.everCrisis[i] = 1;
          s.crisisMonths[i]++;
          // A country with ties to rival powers, in crisis, may move closer to them (once).
          if (hasRival[i] && s.aligned[i] === 0 && happens(HARM_DRAWS + n + i, onsetP(x, rivalThreshold)))
            s.aligned[i] = 1;
        }
        inCrisis += s.crisisYear[i];
        crisisNow += s.crisis[i];
        everCrisis += s.everCrisis[i];
        aligned += s.aligned[i];
        // Partners suspend intelligence sharing and joint operations.
        if (isPartner[i]) {
          if (s.suspended[i] === 0) {
            // The crisis draw is reused on the partner's own threshold (a partner in crisis has suspended).
            if (happens(HARM_DRAWS + i, onsetP(x, partnerThreshold))) {
              s.suspended[i] = 1;
              s.suspendedAge[i] = 0;
              partnerOnsets++;
            }
          } else {
            s.suspendedAge[i]++;
            if (s.suspendedAge[i] >= minMonths && x < resume * partnerThreshold) s.suspended[i] = 0;
          }
          if (s.suspended[i] === 1) {
            s.suspendedYear[i] = 1;
            s.everSuspended[i] = 1;
          }
          suspendedNow += s.suspendedYear[i];
          partnerNow += s.suspended[i];
          everSuspended += s.everSuspended[i];
        }
      }
      now[NOW.crisisOnsets] = onsets;
      now[NOW.countriesInCrisis] = inCrisis;
      now[NOW.partnerOnsets] = partnerOnsets;
      now[NOW.partnersSuspended] = suspendedNow;
      now[NOW.regionalTies] = nRegional > 0 ? 1 - ties / nRegional : 1;
      now[NOW.rivalAlignment] = aligned;
      now[NOW.countriesEverInCrisis] = everCrisis;
      now[NOW.partnersEverSuspended] = everSuspended;
      now[NOW.crisisMonthsAll] = crisisNow;
      now[NOW.partnerMonths] = partnerNow;
      for (let k = 0; k < NOW_FIELDS; k++) s.totals[k] += now[k];

      // Interdiction lost where suspended partners operated: the supply step reads it next month.
      for (let k = 0; k < nCor; k++) {
        let lost = 0;
        for (let i = 0; i < n; i++) if (s.suspended[i] === 1) lost += partnerShare[k * n + i];
        lost = Math.min(0.9, lost);
        if (lost === s.lost[k]) continue;
        s.lost[k] = lost;
        for (const target of scaleTargets) {
          const edges = target.edges[k];
          for (let j = 0; j < edges.length; j++) target.scale[edges[j]] = 1 - lost;
        }
      }
    },
  };
  return { module, state };
}
