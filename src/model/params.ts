/** Resolved parameter values for one run: the declared values, or one draw from their uncertainty. */

import { fail } from '../core/errors.js';
import type { Scenario } from '../spec/scenario.js';

/** Read-only view of parameter values by id. */
export class Params {
  private readonly values: Map<string, number>;
  constructor(values: Map<string, number>) {
    this.values = values;
  }

  /** The declared values of a scenario, with optional overrides by id. */
  static fromScenario(scenario: Scenario, overrides?: Readonly<Record<string, number>>): Params {
    const m = new Map<string, number>();
    for (const [id, spec] of Object.entries(scenario.parameters)) m.set(id, spec.value);
    if (overrides) {
      for (const [id, v] of Object.entries(overrides)) {
        if (!m.has(id)) fail('model/params', id, v, 'the id of a declared parameter');
        m.set(id, v);
      }
    }
    return new Params(m);
  }

  /** Value of a parameter; an unknown id is a programming error naming the id. */
  get(id: string): number {
    const v = this.values.get(id);
    if (v === undefined)
      return fail('model/params', id, undefined, 'a declared parameter (missing from the scenario)');
    return v;
  }

  /** Is the parameter declared? */
  has(id: string): boolean {
    return this.values.has(id);
  }

  /** The declared ids, in declaration order. */
  ids(): IterableIterator<string> {
    return this.values.keys();
  }

  /** All values as a plain object (for manifests and reports). */
  toObject(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}
