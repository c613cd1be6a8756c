/**
 * The default scenario, assembled from the data files shipped with the package. Runs with no files.
 */

import fitted from '../../data/calibration/fitted.json' with { type: 'json' };
import freeFile from '../../data/calibration/free-parameters.json' with { type: 'json' };
import precursors from '../../data/history/fentanyl-precursors.json' with { type: 'json' };
import marketDemand from '../../data/history/market-demand.json' with { type: 'json' };
import streetSupply from '../../data/history/street-supply.json' with { type: 'json' };
import treatment from '../../data/history/treatment-and-naloxone.json' with { type: 'json' };
import conflictParameters from '../../data/parameters/conflict.json' with { type: 'json' };
import healthParameters from '../../data/parameters/health.json' with { type: 'json' };
import { riskParameterFile } from '../model/risk/data.js';
import { defaultNetwork, defaultOrganisations, supplyParameterFile } from '../model/supply/data.js';
import { type ParameterSpec, type Scenario, ScenarioSchema } from '../spec/scenario.js';

function paramsOf(file: Record<string, unknown>): Record<string, ParameterSpec> {
  const out: Record<string, ParameterSpec> = {};
  for (const [k, v] of Object.entries(file)) if (!k.startsWith('$')) out[k] = v as ParameterSpec;
  return out;
}

/**
 * Apply the shipped calibration (data/calibration/fitted.json) over the declared parameters; only
 * the parameters in the posterior now (free or sampled) are taken, so a stale fit of a parameter no
 * longer fitted is ignored.
 */
function applyFit(params: Record<string, ParameterSpec>): Record<string, ParameterSpec> {
  const values = (fitted as { values: Record<string, number> }).values;
  for (const id of [...freeFile.parameters, ...freeFile.sampled]) {
    const value = values[id];
    if (params[id] && value !== undefined) params[id] = { ...params[id], value };
  }
  return params;
}

let cached: Scenario | undefined;
let declared: Scenario | undefined;

/**
 * Return a fresh copy of the default scenario. With `{ fitted: false }` the free parameters keep
 * their declared starting values (what `crossroads calibrate` starts from).
 */
export function defaultScenario(options: { fitted?: boolean } = {}): Scenario {
  if (options.fitted === false) {
    if (!declared) declared = ScenarioSchema.parse(rawDefault(false));
    return structuredClone(declared);
  }
  if (!cached) cached = ScenarioSchema.parse(rawDefault(true));
  return structuredClone(cached);
}

function rawDefault(withFit: boolean): unknown {
  const parameters = {
    ...paramsOf(healthParameters as Record<string, unknown>),
    ...paramsOf(supplyParameterFile()),
    ...paramsOf(conflictParameters as Record<string, unknown>),
    ...paramsOf(riskParameterFile()),
  };
  return {
    name: 'default',
    description:
      'United States, 2015-2035: street supply from seizure, forensic and price evidence to 2025, held flat after; health model calibrated to CDC/NCHS deaths 2015-2024.',
    horizon: { start: '2015-01', end: '2035-12' },
    policyStart: '2026-01',
    lastDataYear: 2025,
    economics: { dollarYear: 2024, discountRate: 0 },
    parameters: withFit ? applyFit(parameters) : parameters,
    history: {
      streetSupply: { fentanyl: streetSupply.fentanyl, cocaine: streetSupply.cocaine },
      treatmentCapacity: treatment.treatmentCapacity,
      naloxoneKits: treatment.naloxoneKits,
      methamphetamine: streetSupply.methamphetamine,
      marketDemand: { cocaine: marketDemand.cocaine },
      precursorSupply: precursors.rows,
    },
    network: defaultNetwork(),
    organisations: defaultOrganisations(),
    assumptions: [],
  };
}
