/** `crossroads network`: flows by route, seizures and the minimum cut between production and the US market. */

import type { Command } from 'commander';
import { analyseNetwork, type CommodityAnalysis } from '../../analysis/network.js';
import { formatSupplyFit, supplyFitReport } from '../../calibration/supply-fit.js';
import { fmtInt, textTable as table } from '../../core/text.js';
import { prepare, runModel } from '../../engine/run.js';
import { assumptionNames } from '../../model/supply/index.js';
import type { Scenario } from '../../spec/scenario.js';
import { loadScenario } from '../inputs.js';
import { choiceOption, intOption, MAX_SEED } from '../options.js';
import { openOutput } from '../output.js';

const FORMATS = ['table', 'json'] as const;

/** Register the command. */
export function registerNetwork(program: Command): void {
  program
    .command('network')
    .description(
      'flows by route, seizures and the minimum cut between production and the US market (no new policy)',
    )
    .argument('[scenario]', 'scenario file (YAML or JSON); the built-in default when omitted')
    .option('-f, --format <format>', 'table | json', 'table')
    .option(
      '-a, --assumptions <name|file>',
      `alternative assumption set to overlay (${assumptionNames().join(', ')}) or a file`,
    )
    .option('-y, --year <year>', 'calendar year of the flows', '2025')
    .option('-s, --seed <n>', 'random seed (integer >= 0)', '1')
    .option('--fit', 'also print the supply fit report (targets in data/targets/supply.json)')
    .option('-o, --out <file>', 'write to a file (atomically) instead of stdout')
    .action(
      (
        scenarioFile: string | undefined,
        opts: {
          format: string;
          assumptions?: string;
          year: string;
          seed: string;
          fit?: boolean;
          out?: string;
        },
      ) => {
        const format = choiceOption('--format', opts.format, FORMATS, 'table');
        const seed = intOption('--seed', opts.seed, 1, 0, MAX_SEED);
        const output = openOutput(opts.out);
        const scenario = loadScenario(scenarioFile, opts.assumptions);
        const first = Number(scenario.horizon.start.slice(0, 4));
        const last = Number(scenario.horizon.end.slice(0, 4));
        const year = intOption('--year', opts.year, 2025, first, last);
        const input = { scenario, policy: { name: 'no new policy', levers: [] }, seed };
        const analysis = analyseNetwork(runModel(input, prepare(input)), year);
        const fit = opts.fit ? supplyFitReport(scenario, seed) : undefined;
        const text =
          format === 'json'
            ? `${JSON.stringify({ scenario: scenario.name, assumptions: scenario.assumptions, seed, year, commodities: analysis, fit }, null, 2)}\n`
            : toTable(scenario, analysis, fit ? formatSupplyFit(fit) : undefined);
        output(text);
      },
    );
}

function toTable(scenario: Scenario, analysis: CommodityAnalysis[], fit?: string): string {
  const lines = [
    `Crossroads network - scenario "${scenario.name}"${scenario.assumptions.length ? `, assumptions: ${scenario.assumptions.join(', ')}` : ''} (no new policy)`,
  ];
  for (const a of analysis) {
    lines.push(
      '',
      `${a.commodity}, ${a.year}: reaching the US ${fmtInt(a.flowUsKg)} kg; seized in the network ${fmtInt(a.seizedKg)} kg`,
    );
    const rows = a.routes
      .filter((r) => r.shippedKg >= 0.5)
      .slice(0, 15)
      .map((r) => [r.path.join(' > '), r.corridor, fmtInt(r.shippedKg), fmtInt(r.deliveredKg)]);
    lines.push(table(['route', 'corridor', 'shipped kg', 'delivered kg'], rows));
    lines.push(
      `Minimum cut between production and ${a.graph.nodes.find((n) => n.market?.us)?.id}: ${fmtInt(a.minCut.capacityKgPerYear)} kg a year across ${a.minCut.edges.join(', ')}`,
    );
  }
  lines.push(
    '',
    'Leg capacities are illustrative ceilings (see data/network/*.json); flows come from one seeded run.',
  );
  if (fit) lines.push('', 'Supply fit (expected values):', fit);
  return `${lines.join('\n')}\n`;
}
