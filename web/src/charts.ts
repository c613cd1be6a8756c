/**
 * Charts (Observable Plot): every chart has a title, its unit on the axis and a legend. Lines are the
 * paired single run (policy vs no new policy on the same random numbers); shaded bands are the
 * 5th-95th percentiles of the small paired ensemble as far as it has run.
 */

import * as Plot from '@observablehq/plot';
import { type OutcomeMeta, observedDeaths } from '../../src/index.js';
import { type Fan, quantile, type SingleView } from './explorer.js';

export const COLORS = { base: '#6b7280', policy: '#1d4ed8', observed: '#111827' } as const;
export const ARM = { base: 'no new policy', policy: 'with the policy', observed: 'CDC observed' } as const;

/** Number formatting for labels and tables. */
export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  const trim = (t: string) => t.replace(/\.0$/, '');
  if (a >= 1e9) return `${trim((x / 1e9).toFixed(a >= 1e11 ? 0 : 1))} billion`;
  if (a >= 1e6) return `${trim((x / 1e6).toFixed(a >= 1e8 ? 0 : 1))} million`;
  if (a > 0 && a < 10 && digits === 0) return x.toFixed(a < 1 ? 3 : 2);
  return x.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function usd(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  if (a >= 1e9) return `$${(x / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `$${(x / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `$${(x / 1e3).toFixed(0)}k`;
  return `$${x.toFixed(a < 10 ? 2 : 0)}`;
}

/** One series of a chart: an outcome, optionally rescaled (kg -> tonnes). */
export interface SeriesSpec {
  path: string;
  title: string;
  unit: string;
  scale?: number;
  observed?: { year: number; value: number }[];
  /** Show no new policy minus the policy per year (e.g. deaths averted), banded from the paired differences. */
  difference?: string;
}

/** Rows behind a line chart (what "copy data" copies). */
export interface LineRow {
  year: number;
  base: number;
  policy: number;
  baseLo?: number;
  baseHi?: number;
  policyLo?: number;
  policyHi?: number;
  observed?: number;
}

/** The rows of one outcome over the years. */
export function lineRows(view: SingleView, fan: Fan | null, s: SeriesSpec): LineRow[] {
  const k = view.index.get(s.path);
  if (k === undefined) return [];
  const nA = view.outcomes.length;
  const scale = s.scale ?? 1;
  const obs = new Map((s.observed ?? []).map((o) => [o.year, o.value]));
  return view.years.map((year, i) => {
    const row: LineRow = {
      year,
      base: view.base[i * nA + k] * scale,
      policy: view.policy[i * nA + k] * scale,
    };
    if (s.difference) {
      row.policy = row.base - row.policy;
      row.base = 0;
      if (fan && fan.n > 1) {
        const d = fan.values(2, i * nA + k);
        row.policyLo = -quantile(d, 0.95) * scale;
        row.policyHi = -quantile(d, 0.05) * scale;
      }
      return row;
    }
    if (fan && fan.n > 1) {
      const cell = i * nA + k;
      const p = fan.values(0, cell);
      const b = fan.values(1, cell);
      row.policyLo = quantile(p, 0.05) * scale;
      row.policyHi = quantile(p, 0.95) * scale;
      row.baseLo = quantile(b, 0.05) * scale;
      row.baseHi = quantile(b, 0.95) * scale;
    }
    if (obs.has(year)) row.observed = obs.get(year);
    return row;
  });
}

/** Tab-separated text of rows (pastes into a spreadsheet). */
export function rowsText(title: string, unit: string, rows: LineRow[], difference?: string): string {
  if (difference) {
    const cell = (x: number | undefined) => (x === undefined ? '' : String(x));
    return [
      `# ${title} (${unit})`,
      ['year', difference, 'p5', 'p95'].join('\t'),
      ...rows.map((r) => [r.year, r.policy, r.policyLo, r.policyHi].map(cell).join('\t')),
    ].join('\n');
  }
  const head = [
    'year',
    `${ARM.base}`,
    `${ARM.policy}`,
    'no new policy p5',
    'no new policy p95',
    'policy p5',
    'policy p95',
    'observed',
  ];
  const cell = (x: number | undefined) => (x === undefined ? '' : String(x));
  return [
    `# ${title} (${unit})`,
    head.join('\t'),
    ...rows.map((r) =>
      [r.year, r.base, r.policy, r.baseLo, r.baseHi, r.policyLo, r.policyHi, r.observed].map(cell).join('\t'),
    ),
  ].join('\n');
}

/** A line chart: both arms, their bands, observed points and the policy start. */
export function lineChart(
  s: SeriesSpec,
  rows: LineRow[],
  opts: { width: number; height: number; policyStart: number; tips?: boolean },
): SVGSVGElement | HTMLElement {
  const long: { year: number; arm: string; value: number }[] = [];
  const bands: { year: number; arm: string; lo: number; hi: number }[] = [];
  const policyArm = s.difference ?? ARM.policy;
  for (const r of rows) {
    if (!s.difference) long.push({ year: r.year, arm: ARM.base, value: r.base });
    long.push({ year: r.year, arm: policyArm, value: r.policy });
    if (r.policyLo !== undefined && r.year >= opts.policyStart) {
      if (r.baseLo !== undefined)
        bands.push({ year: r.year, arm: ARM.base, lo: r.baseLo, hi: r.baseHi as number });
      bands.push({ year: r.year, arm: policyArm, lo: r.policyLo as number, hi: r.policyHi as number });
    }
  }
  const observed = rows
    .filter((r) => r.observed !== undefined)
    .map((r) => ({ year: r.year, value: r.observed as number, arm: ARM.observed }));
  const domain: string[] = [
    ...(s.difference ? [] : [ARM.base]),
    policyArm,
    ...(observed.length ? [ARM.observed] : []),
  ];
  const range: string[] = [
    ...(s.difference ? [] : [COLORS.base]),
    COLORS.policy,
    ...(observed.length ? [COLORS.observed] : []),
  ];
  return Plot.plot({
    width: opts.width,
    height: opts.height,
    marginLeft: 64,
    style: { fontSize: '12px', background: 'transparent' },
    x: { label: null, tickFormat: 'd', ticks: Math.max(3, Math.min(10, Math.floor(opts.width / 70))) },
    y: { label: s.unit, grid: true, zero: true, tickFormat: '~s', nice: true },
    color: { domain, range, legend: true },
    marks: [
      Plot.ruleX([opts.policyStart - 0.5], { stroke: '#9ca3af', strokeDasharray: '3,3' }),
      Plot.text([{ x: opts.policyStart - 0.5 }], {
        x: 'x',
        frameAnchor: 'top',
        text: () => 'policy starts',
        dx: 4,
        textAnchor: 'start',
        fill: '#6b7280',
      }),
      Plot.areaY(bands, {
        x: 'year',
        y1: 'lo',
        y2: 'hi',
        fill: 'arm',
        fillOpacity: 0.18,
        curve: 'monotone-x',
      }),
      ...(s.difference ? [Plot.ruleY([0], { stroke: '#9ca3af' })] : []),
      // The policy solid, then no new policy dashed on top, so both show where they coincide.
      Plot.lineY(
        long.filter((d) => d.arm !== ARM.base),
        { x: 'year', y: 'value', stroke: 'arm', strokeWidth: 2.2, curve: 'monotone-x' },
      ),
      Plot.lineY(
        long.filter((d) => d.arm === ARM.base),
        {
          x: 'year',
          y: 'value',
          stroke: 'arm',
          strokeWidth: 1.8,
          strokeDasharray: '5,4',
          curve: 'monotone-x',
        },
      ),
      Plot.dot(observed, {
        x: 'year',
        y: 'value',
        fill: 'arm',
        r: 3.5,
        title: (d: { value: number }) => `CDC observed: ${fmt(d.value)}`,
      }),
      // Hover read-outs on the large graphs only: a tip mark doubles a chart's drawing time.
      Plot.tip(
        opts.tips ? long : [],
        Plot.pointerX({
          x: 'year',
          y: 'value',
          stroke: 'arm',
          title: (d: { year: number; arm: string; value: number }) =>
            `${d.year} · ${d.arm}: ${fmt(d.value, 1)} ${s.unit}`,
        }),
      ),
    ],
  });
}

/** Flows by corridor over the projection: grouped bars, both arms, for one commodity. */
export function corridorChart(
  view: SingleView,
  commodity: string,
  opts: { width: number; policyStart: number },
): { el: SVGSVGElement | HTMLElement; text: string } | null {
  const prefix = `supply.${commodity}.byCorridor.`;
  const nA = view.outcomes.length;
  const rows: { corridor: string; arm: string; tonnes: number }[] = [];
  for (const o of view.outcomes) {
    if (!o.path.startsWith(prefix)) continue;
    const k = view.index.get(o.path) as number;
    let b = 0;
    let p = 0;
    view.years.forEach((y, i) => {
      if (y < opts.policyStart) return;
      b += view.base[i * nA + k];
      p += view.policy[i * nA + k];
    });
    const corridor = o.path.slice(prefix.length);
    rows.push({ corridor, arm: ARM.base, tonnes: b / 1000 }, { corridor, arm: ARM.policy, tonnes: p / 1000 });
  }
  if (rows.length === 0) return null;
  const last = view.years[view.years.length - 1];
  const el = Plot.plot({
    width: opts.width,
    height: 40 + rows.length * 14,
    marginLeft: 110,
    style: { fontSize: '12px', background: 'transparent' },
    x: {
      label: `tonnes shipped along the corridor, ${opts.policyStart}–${last}`,
      grid: true,
      tickFormat: '~s',
    },
    y: { label: null, axis: null },
    fy: { label: null },
    color: { domain: [ARM.base, ARM.policy], range: [COLORS.base, COLORS.policy], legend: true },
    marks: [
      Plot.barX(rows, {
        x: 'tonnes',
        y: 'arm',
        fy: 'corridor',
        fill: 'arm',
        title: (d: { corridor: string; arm: string; tonnes: number }) =>
          `${d.corridor} · ${d.arm}: ${fmt(d.tonnes)} t`,
      }),
      Plot.ruleX([0]),
    ],
  });
  const text = [
    `# flows by corridor, ${commodity}, tonnes ${opts.policyStart}-${last}`,
    'corridor\tarm\ttonnes',
    ...rows.map((r) => `${r.corridor}\t${r.arm}\t${r.tonnes}`),
  ].join('\n');
  return { el, text };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The composite views the large graphs offer before the single outcomes. */
export const VIEWS: Record<string, { title: string; series: (view: SingleView) => SeriesSpec[] }> = {
  'view:deaths': {
    title: 'Overdose deaths',
    series: () => [
      {
        path: 'deaths.total',
        title: 'Overdose deaths (any drug)',
        unit: 'deaths a year',
        observed: observedDeaths().total,
      },
    ],
  },
  'view:averted': {
    title: 'Overdose deaths averted',
    series: () => [
      {
        path: 'deaths.total',
        title: 'Deaths averted (no new policy minus the policy)',
        unit: 'deaths averted a year',
        difference: 'deaths averted',
      },
    ],
  },
  'view:flow': {
    title: 'Drug reaching the US, by commodity',
    series: (v) =>
      v.outcomes
        .filter((o) => /^flow\.[a-z]+$/.test(o.path))
        .map((o) => ({
          path: o.path,
          title: `${cap(o.path.slice(5))} reaching the US`,
          unit: 'tonnes a year',
          scale: 1 / 1000,
        })),
  },
  'view:prices': {
    title: 'Retail prices',
    series: (v) =>
      v.outcomes
        .filter((o) => /^supply\.[a-z]+\.retailPriceUsdPerKg$/.test(o.path))
        .map((o) => ({
          path: o.path,
          title: `${cap(o.path.split('.')[1])} retail price`,
          unit: 'USD per kg (2024)',
        })),
  },
  'view:opioid': {
    title: 'Synthetic-opioid deaths',
    series: () => [
      {
        path: 'deaths.syntheticOpioids',
        title: 'Deaths involving synthetic opioids',
        unit: 'deaths a year',
        observed: observedDeaths().syntheticOpioids,
      },
    ],
  },
};

/** The series of a graph choice: a composite view or one outcome (`outcome:<path>`). */
export function seriesOf(choice: string, view: SingleView): SeriesSpec[] {
  const v = VIEWS[choice];
  if (v) return v.series(view);
  const path = choice.replace(/^outcome:/, '');
  const o: OutcomeMeta | undefined = view.outcomes[view.index.get(path) ?? -1];
  return o ? [{ path, title: o.label, unit: o.unit }] : [];
}

export function titleOf(choice: string, view: SingleView): string {
  const v = VIEWS[choice];
  if (v) return v.title;
  const path = choice.replace(/^outcome:/, '');
  return view.outcomes[view.index.get(path) ?? -1]?.label ?? path;
}

/** A network's nodes and edges as the scenario carries them (only what the map reads). */
export interface MapNetwork {
  nodes: { id: string; label?: string; kind: string; centroid?: number[] }[];
  edges: { from: string; to: string; corridor?: string; mode?: string }[];
}

/**
 * A schematic map of the trafficking networks from the scenario's own data (node centroids, no
 * coastlines or tiles): each edge of a corridor is drawn as wide as the corridor's flow with the
 * policy (summed over the projection) and coloured by its change against no new policy. An edge
 * belongs to corridor K when it declares `corridor: K`, or (fentanyl's land crossings) when it enters
 * the node `us-K`. Nodes outside the Americas (Europe, precursor sources in Asia) are left off.
 */
export function corridorMap(
  view: SingleView,
  networks: Record<string, MapNetwork>,
  opts: { width: number; policyStart: number },
): { el: SVGSVGElement | HTMLElement; text: string } {
  const nA = view.outcomes.length;
  const total = (path: string, which: 'base' | 'policy') => {
    const k = view.index.get(path);
    if (k === undefined) return 0;
    let s = 0;
    view.years.forEach((y, i) => {
      if (y >= opts.policyStart) s += view[which][i * nA + k];
    });
    return s;
  };
  const inFrame = (c?: number[]) => !!c && c[0] >= -115 && c[0] <= -25 && c[1] >= -22 && c[1] <= 45;
  const nodes = new Map<string, { id: string; label: string; kind: string; x: number; y: number }>();
  const links: {
    x1: number;
    y1: number;
    x2: number;
    y2: number;
    commodity: string;
    corridor: string | null;
    tonnes: number;
    change: number;
  }[] = [];
  const rows: string[] = [];
  for (const [commodity, net] of Object.entries(networks)) {
    for (const n of net.nodes)
      if (inFrame(n.centroid))
        nodes.set(n.id, {
          id: n.id,
          label: n.label ?? n.id,
          kind: n.kind,
          x: (n.centroid as number[])[0],
          y: (n.centroid as number[])[1],
        });
    const prefix = `supply.${commodity}.byCorridor.`;
    const keys = view.outcomes
      .filter((o) => o.path.startsWith(prefix))
      .map((o) => o.path.slice(prefix.length));
    for (const key of keys) {
      const p = total(prefix + key, 'policy') / 1000;
      const b = total(prefix + key, 'base') / 1000;
      rows.push(`${commodity}\t${key}\t${b}\t${p}`);
    }
    for (const e of net.edges) {
      const a = nodes.get(e.from);
      const z = nodes.get(e.to);
      if (!a || !z) continue;
      const key = e.corridor ?? keys.find((k) => e.to === `us-${k}`) ?? null;
      const has = key !== null && keys.includes(key);
      const p = has ? total(prefix + key, 'policy') / 1000 : 0;
      const b = has ? total(prefix + key, 'base') / 1000 : 0;
      links.push({
        x1: a.x,
        y1: a.y,
        x2: z.x,
        y2: z.y,
        commodity,
        corridor: has ? key : null,
        tonnes: p,
        change: b > 0 ? (p - b) / b : 0,
      });
    }
  }
  const flowLinks = links.filter((l) => l.corridor);
  const maxT = Math.max(1, ...flowLinks.map((l) => l.tonnes));
  const height = Math.round(opts.width * 0.72);
  const el = Plot.plot({
    width: opts.width,
    height,
    inset: 10,
    style: { fontSize: '11px', background: 'transparent' },
    x: { domain: [-114, -26], axis: null },
    y: { domain: [-20, 42], axis: null },
    color: {
      type: 'diverging',
      domain: [-0.5, 0.5],
      scheme: 'rdbu',
      reverse: true,
      legend: true,
      label: 'change in tonnes with the policy',
      tickFormat: '+.0%',
    },
    marks: [
      Plot.frame({ stroke: '#e5e7eb' }),
      Plot.link(
        links.filter((l) => !l.corridor),
        { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#cbd5e1', strokeWidth: 1 },
      ),
      Plot.link(flowLinks, {
        x1: 'x1',
        y1: 'y1',
        x2: 'x2',
        y2: 'y2',
        stroke: 'change',
        strokeWidth: (d: { tonnes: number }) => 1.5 + (9 * d.tonnes) / maxT,
        strokeOpacity: 0.85,
        strokeLinecap: 'round',
        title: (d: { commodity: string; corridor: string; tonnes: number; change: number }) =>
          `${d.commodity}, ${d.corridor}: ${fmt(d.tonnes)} t with the policy (${d.change >= 0 ? '+' : ''}${(d.change * 100).toFixed(1)}%)`,
      }),
      Plot.dot([...nodes.values()], {
        x: 'x',
        y: 'y',
        r: 3,
        fill: (d: { kind: string }) =>
          d.kind === 'market' ? '#111827' : d.kind === 'production' ? '#92400e' : '#64748b',
        title: 'label',
      }),
      Plot.text(
        [...nodes.values()].filter(
          (n) =>
            n.kind === 'production' ||
            n.kind === 'market' ||
            (n.kind === 'corridor' && n.id !== 'air-bridge'),
        ),
        {
          x: 'x',
          y: 'y',
          text: (d: { id: string; kind: string }) =>
            d.kind === 'corridor' ? d.id : d.id.replace(/-(production|market)$/, '').toUpperCase(),
          dy: -9,
          fill: '#1f2937',
          stroke: 'white',
          strokeWidth: 3,
          paintOrder: 'stroke',
        },
      ),
    ],
  });
  return {
    el,
    text: [
      `# flows by corridor, tonnes ${opts.policyStart}-${view.years[view.years.length - 1]}`,
      'commodity\tcorridor\tno new policy\twith the policy',
      ...rows,
    ].join('\n'),
  };
}
