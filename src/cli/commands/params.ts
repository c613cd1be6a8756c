/**
 * `crossroads params`, `levers`, `outcomes` and `policies`: what can be set and what is measured, with
 * units and sources.
 */

import type { Command } from 'commander';
import { textTable as table } from '../../core/text.js';
import { prepare } from '../../engine/run.js';
import { leverCatalogue } from '../../model/levers.js';
import { defaultScenario } from '../../scenario/default.js';
import { noPolicy } from '../../scenario/resolve.js';
import { shippedPolicy } from '../../scenario/shipped.js';
import { loadScenario, shippedPolicies } from '../inputs.js';
import { writeOutput } from '../output.js';

/** Register the commands. */
export function registerCatalogues(program: Command): void {
  program
    .command('params')
    .description('list the scenario parameters: value, range, unit and source')
    .argument('[scenario]', 'scenario file; the default when omitted')
    .option('--json', 'print JSON')
    .action((file: string | undefined, opts: { json?: boolean }) => {
      const s = loadScenario(file);
      if (opts.json) return writeOutput(JSON.stringify(s.parameters, null, 2));
      const rows = Object.entries(s.parameters).map(([id, p]) => [
        id,
        String(Number(p.value.toPrecision(4))),
        p.range ? `${p.range[0]} .. ${p.range[1]}` : '-',
        p.unit,
        p.calibrated ? 'yes' : '',
        p.source.length > 70 ? `${p.source.slice(0, 67)}...` : p.source,
      ]);
      writeOutput(table(['parameter', 'value', 'range', 'unit', 'fitted', 'source'], rows));
    });
  program
    .command('levers')
    .description(
      'list the levers a policy can use: unit, allowed range, targets, what it acts on, unit cost parameter',
    )
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const defs = [...leverCatalogue().values()];
      if (opts.json) return writeOutput(JSON.stringify(defs, null, 2));
      writeOutput(
        table(
          ['lever', 'unit', 'range', 'targets', 'acts on', 'cost parameter'],
          defs.map((d) => {
            const on = 'actsOn' in d.effect ? d.effect.actsOn : undefined;
            return [
              d.id,
              d.unit,
              `${d.min} .. ${d.max}`,
              d.targets ? d.targets.join(' ') : '-',
              on ? ('legs' in on ? `${on.legs.join(', ')} legs` : `${on.nodes.join(', ')} nodes`) : '-',
              d.costParameter,
            ];
          }),
        ),
      );
    });
  program
    .command('outcomes')
    .description('list the outcomes the model declares: path, unit, direction, summary, label')
    .argument(
      '[scenario]',
      'scenario file (its network names the corridor outcomes); the default when omitted',
    )
    .option('--json', 'print JSON')
    .action((file: string | undefined, opts: { json?: boolean }) => {
      const scenario = loadScenario(file);
      const { outcomes } = prepare({ scenario, policy: noPolicy(), seed: 1 });
      const rows = outcomes.map((o) => ({
        path: o.path,
        label: o.label,
        unit: o.unit,
        direction: o.direction,
        aggregate: o.read.aggregate,
        summary: o.summary ?? null,
        series: o.series ?? null,
        note: o.note ?? null,
      }));
      if (opts.json) return writeOutput(JSON.stringify(rows, null, 2));
      writeOutput(
        table(
          ['outcome', 'unit', 'direction', 'summary', 'label'],
          rows.map((r) => [r.path, r.unit, r.direction, r.summary ?? '-', r.label]),
        ),
      );
    });
  program
    .command('policies')
    .description('list the shipped policies (usable by name with --policy): name, then its description')
    .action(() => {
      const scenario = defaultScenario();
      const names = shippedPolicies();
      const width = Math.max(...names.map((n) => n.length));
      writeOutput(
        names
          .map((n) =>
            `${n.padEnd(width)}  ${(shippedPolicy(n, scenario).description ?? '').trim()}`.trimEnd(),
          )
          .join('\n'),
      );
    });
}
