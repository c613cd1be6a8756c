/**
 * The Crossroads dashboard: lever controls generated from the lever declarations (grouped by the
 * strategy's prongs), the model in Web Workers through `WorkerRunner` (the library's own code, as on
 * the server and the CLI), two swappable large graphs, flows by corridor, prices and a risk panel
 * built from the outcomes declared as risks. The whole state lives in the URL's fragment.
 */

import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  type ActionRow,
  defaultScenario,
  fmtEntry,
  isNonZero,
  type LeverDef,
  leverCatalogue,
  type Policy,
  resolvePolicy,
  shippedPolicy,
  shippedPolicyNames,
  WorkerRunner,
} from '../../src/index.js';
import {
  ARM,
  corridorChart,
  corridorMap,
  fmt,
  type LineRow,
  lineChart,
  lineRows,
  type MapNetwork,
  rowsText,
  seriesOf,
  titleOf,
  usd,
  VIEWS,
} from './charts.js';
import { Explorer, FAN, type Fan, quantile, type SingleView } from './explorer.js';
import { type DashState, DEFAULT_GRAPHS, decodeState, encodeState } from './state.js';
import './style.css';

const scenario = defaultScenario();
const POLICY_START = Number(scenario.policyStart.slice(0, 4));
const catalogue = [...leverCatalogue().values()];

/** The strategy's prongs, in display order; a lever without one (or with another) is listed after. */
const PRONGS: [string, string][] = [
  ['military', 'Military'],
  ['financial', 'Financial'],
  ['border', 'Border and interdiction'],
  ['demand', 'Demand side'],
  ['enforcement', 'Domestic enforcement'],
  ['diplomacy', 'Diplomacy'],
];
/** The prong a lever declares (read defensively: the field is optional in the declarations). */
const prongOf = (d: LeverDef): string => {
  const p = (d as { prong?: unknown }).prong;
  return typeof p === 'string' && p !== '' ? p : 'other';
};

/** One control: a lever, or a lever on one target (a corridor, a country). */
interface Control {
  def: LeverDef;
  target?: string;
  key: string;
}
const controls: Control[] = catalogue.flatMap((def) =>
  def.targets?.length
    ? def.targets.map((t) => ({ def, target: t, key: `${def.id}:${t}` }))
    : [{ def, key: def.id }],
);

const startState = (): DashState => ({
  policy: shippedPolicy('demand-package', scenario),
  seed: 1,
  graphs: DEFAULT_GRAPHS,
});

/** Intensity of a control in a policy (its first use). */
function intensityOf(policy: Policy, c: Control): number {
  const u = policy.levers.find((l) => l.lever === c.def.id && (l.target ?? undefined) === c.target);
  return u ? u.intensity : 0;
}

/** The policy with one control set (a use with no timing at zero is removed). */
function withIntensity(policy: Policy, c: Control, intensity: number): Policy {
  const levers = [...policy.levers];
  const i = levers.findIndex((l) => l.lever === c.def.id && (l.target ?? undefined) === c.target);
  if (i >= 0) {
    const u = levers[i];
    if (intensity === 0 && !u.start && !u.end && !u.rampMonths) levers.splice(i, 1);
    else levers[i] = { ...u, intensity };
  } else if (intensity > 0) {
    levers.push({ lever: c.def.id, ...(c.target ? { target: c.target } : {}), intensity });
  }
  return { ...policy, levers };
}

/**
 * A policy changed by hand is no longer the preset (or saved policy) it came from: its name says so
 * and the description, which described the original, goes.
 */
function modified(p: Policy): Policy {
  const name = p.name.endsWith(' (modified)') ? p.name : `${p.name} (modified)`;
  const { description: _gone, ...rest } = p;
  return { ...rest, name };
}

/** A lever's unit cost: the scenario's value of its cost parameter (data/parameters). */
function unitCostOf(d: LeverDef): { value: number; unit: string } | undefined {
  const p = (scenario.parameters as Record<string, { value?: unknown; unit?: unknown }>)[d.costParameter];
  return p && typeof p.value === 'number' ? { value: p.value, unit: String(p.unit ?? '') } : undefined;
}

/** Slider steps: 200 over the declared range. */
const STEPS = 200;
const toStep = (d: LeverDef, x: number) => Math.round(((x - d.min) / (d.max - d.min)) * STEPS);
const fromStep = (d: LeverDef, s: number) => {
  const x = d.min + ((d.max - d.min) * s) / STEPS;
  return Number.isInteger(d.max) && Number.isInteger(d.min) && d.max - d.min >= STEPS ? Math.round(x) : x;
};

// --- the model, in two workers: one for the single runs, one for the fan ------------------------
function makeWorker(): WorkerRunner {
  return new WorkerRunner(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
}

/** What the page exposes for tests and the latency bench. */
interface Probe {
  runs: number;
  lastLatencyMs: number | null;
  lastRunMs: number | null;
  fanDone: number;
  fanTarget: number;
  latencies: number[];
  /** Time spent drawing figures since the last single run was drawn, ms. */
  drawMs: number;
  lastDrawMs: number | null;
  /** From the input to the single run's result arriving on the page, ms. */
  lastArriveMs: number | null;
}
const probe: Probe = {
  runs: 0,
  lastLatencyMs: null,
  lastRunMs: null,
  fanDone: 0,
  fanTarget: FAN.n,
  latencies: [],
  drawMs: 0,
  lastDrawMs: null,
  lastArriveMs: null,
};
(window as unknown as { __crossroads: Probe }).__crossroads = probe;

function initialState(): { state: DashState; error: string | null } {
  try {
    return { state: decodeState(location.hash, scenario) ?? startState(), error: null };
  } catch (err) {
    return { state: startState(), error: `Could not open the shared link: ${(err as Error).message}` };
  }
}

function Figure(props: { make: () => Element | null; deps: unknown[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  // Drawn before the browser paints (a layout effect), so a change reaches the screen in one frame.
  // The caller lists what the figure depends on.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const t = performance.now();
    const fig = props.make();
    el.replaceChildren(...(fig ? [fig] : []));
    probe.drawMs += performance.now() - t;
  }, props.deps);
  return <div class="figure" ref={ref} role="img" aria-label={props.label} />;
}

function useWidth(ref: { current: HTMLElement | null }, fallback: number): number {
  const [w, setW] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(Math.max(240, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return w;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API unavailable (plain http on another host): fall back to a hidden textarea.
    const ta = document.createElement('textarea');
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

// --- components ------------------------------------------------------------------------------------

function LeverControl(props: {
  c: Control;
  value: number;
  cost: number | undefined;
  onChange: (x: number) => void;
}) {
  const { c, value } = props;
  const id = `lever-${c.key}`;
  const label = c.target ? `${c.def.label} — ${c.target}` : c.def.label;
  const unitCost = unitCostOf(c.def);
  return (
    <div class={`lever${value > 0 ? ' active' : ''}`}>
      <label for={id}>
        <span class="lever-name">{label}</span>
        <span class="lever-value" data-testid={`value-${c.key}`}>
          {fmt(value, 2)}
        </span>
      </label>
      <input
        id={id}
        type="range"
        min={0}
        max={STEPS}
        step={1}
        value={toStep(c.def, value)}
        aria-valuetext={`${fmt(value, 2)} ${c.def.unit}`}
        onInput={(e) => props.onChange(fromStep(c.def, Number((e.target as HTMLInputElement).value)))}
      />
      <div class="lever-unit">
        {c.def.unit} · range {fmt(c.def.min)}–{fmt(c.def.max)}
        {unitCost
          ? ` · unit cost ${usd(unitCost.value)} ${unitCost.unit.replace(/^USD \(?2024\)?\s*/, '')}`
          : ''}
        {props.cost ? ` · cost ${usd(props.cost)} to 2035` : ''}
      </div>
      <div class="lever-desc" title={c.def.description}>
        {c.def.description}
      </div>
    </div>
  );
}

function LeverPanel(props: {
  policy: Policy;
  view: SingleView | null;
  onSet: (c: Control, x: number) => void;
}) {
  const groups = new Map<string, Control[]>();
  for (const c of controls) {
    const p = prongOf(c.def);
    groups.set(p, [...(groups.get(p) ?? []), c]);
  }
  const known = PRONGS.map(([k]) => k);
  const anyActive = controls.filter((c) => intensityOf(props.policy, c) > 0).length;
  const order = [
    ...PRONGS,
    ...[...groups.keys()].filter((k) => !known.includes(k)).map((k) => [k, k] as [string, string]),
  ];
  const costOf = (c: Control) =>
    props.view?.costByLever
      .filter((x) => x.lever === c.def.id && (x.target ?? undefined) === c.target)
      .reduce((a, x) => a + x.costUsd, 0);
  return (
    <div class="levers">
      {order.map(([key, title]) => {
        const list = groups.get(key);
        const active = list?.filter((c) => intensityOf(props.policy, c) > 0).length ?? 0;
        return (
          <details class="prong" open={active > 0 || (anyActive === 0 && key === 'demand')} key={key}>
            <summary>
              {title === 'other' ? 'Other levers' : title}
              <span class="count">
                {list
                  ? `${list.length} control${list.length > 1 ? 's' : ''}${active ? `, ${active} on` : ''}`
                  : 'none modelled yet'}
              </span>
            </summary>
            {list ? (
              list.map((c) => (
                <LeverControl
                  key={c.key}
                  c={c}
                  value={intensityOf(props.policy, c)}
                  cost={costOf(c)}
                  onChange={(x) => props.onSet(c, x)}
                />
              ))
            ) : (
              <p class="muted">No lever of this prong is declared in data/levers yet.</p>
            )}
          </details>
        );
      })}
    </div>
  );
}

function projectionSum(view: SingleView, path: string, which: 'base' | 'policy'): number {
  const k = view.index.get(path);
  if (k === undefined) return Number.NaN;
  const nA = view.outcomes.length;
  let s = 0;
  view.years.forEach((y, i) => {
    if (y >= POLICY_START) s += view[which][i * nA + k];
  });
  return s;
}

function projectionCells(view: SingleView, path: string): number[] {
  const k = view.index.get(path);
  if (k === undefined) return [];
  const nA = view.outcomes.length;
  return view.years.flatMap((y, i) => (y >= POLICY_START ? [i * nA + k] : []));
}

const whole = (x: number) => Math.round(x).toLocaleString('en-US');

function Summary(props: { view: SingleView; fan: Fan | null }) {
  const { view, fan } = props;
  const last = view.years[view.years.length - 1];
  const base = projectionSum(view, 'deaths.total', 'base');
  const pol = projectionSum(view, 'deaths.total', 'policy');
  const averted = base - pol;
  const cost = projectionSum(view, 'costUsd', 'policy');
  let band = '';
  let pFewer = '';
  if (fan && fan.n > 1) {
    const diff = fan.sums(2, projectionCells(view, 'deaths.total'));
    const av = diff.map((d) => -d);
    band = `${fmt(quantile(av, 0.05))} to ${fmt(quantile(av, 0.95))}`;
    const fewer = diff.filter((d) => d < 0).length + 0.5 * diff.filter((d) => d === 0).length;
    pFewer = `${Math.round((fewer / diff.length) * 100)}%`;
  }
  return (
    <section class="summary" aria-label="Summary">
      <div class="card">
        <div class="k">
          Deaths averted {POLICY_START}–{last}
        </div>
        <div class="v" data-testid="averted">
          {fmt(averted)}
        </div>
        <div class="s">
          {whole(base)} without the policy, {whole(pol)} with it
        </div>
      </div>
      <div class="card">
        <div class="k">5–95% range of deaths averted</div>
        <div class="v">{band || '…'}</div>
        <div class="s">
          {fan ? `${fan.n} of ${fan.target} paired replicates` : 'uncertainty runs after the single run'}
        </div>
      </div>
      <div class="card">
        <div class="k">P(fewer deaths with the policy)</div>
        <div class="v">{pFewer || '…'}</div>
        <div class="s">same random numbers in both arms</div>
      </div>
      <div class="card">
        <div class="k">
          Cost {POLICY_START}–{last} (USD 2024)
        </div>
        <div class="v" data-testid="cost">
          {cost > 0 ? usd(cost) : '$0'}
        </div>
        <div class="s">
          {averted > 0.5 && cost > 0 ? `${usd(cost / averted)} per death averted` : 'per death averted: n/a'}
        </div>
      </div>
    </section>
  );
}

function LargeGraph(props: {
  choice: string;
  view: SingleView;
  fan: Fan | null;
  fanN: number;
  width: number;
  onChoose: (c: string) => void;
  slot: number;
}) {
  const { view, fan, choice } = props;
  const series = useMemo(() => seriesOf(choice, view), [choice, view]);
  // Recomputed (and so redrawn) only when the run, the fan or the choice changes.
  const rows: LineRow[][] = useMemo(
    () => series.map((s) => lineRows(view, fan, s)),
    [series, view, fan, props.fanN],
  );
  const [copied, setCopied] = useState('');
  const h = series.length > 1 ? 190 : 320;
  const notes = series
    .map((s) => view.outcomes[view.index.get(s.path) ?? -1])
    .filter((o) => o?.note)
    .map((o) => `${o.label}: ${o.note}`);
  return (
    <section class="panel large" data-testid={`graph-${props.slot}`}>
      <div class="panel-head">
        <h2>{titleOf(choice, view)}</h2>
        <label class="swap">
          <span class="sr">Graph {props.slot + 1} shows</span>
          <select
            aria-label={`Graph ${props.slot + 1}: choose what it shows`}
            value={choice}
            onChange={(e) => props.onChoose((e.target as HTMLSelectElement).value)}
          >
            <optgroup label="Views">
              {Object.entries(VIEWS).map(([k, v]) => (
                <option value={k} key={k}>
                  {v.title}
                </option>
              ))}
            </optgroup>
            <optgroup label="Every output">
              {view.outcomes.map((o) => (
                <option value={`outcome:${o.path}`} key={o.path}>
                  {o.label} ({o.path})
                </option>
              ))}
            </optgroup>
          </select>
        </label>
      </div>
      {series.map((s, i) => (
        <div key={s.path}>
          {series.length > 1 && <h3>{s.title}</h3>}
          <Figure
            label={`${s.title}, ${s.unit}`}
            deps={[rows[i], props.width, h]}
            make={() =>
              lineChart(s, rows[i], { width: props.width, height: h, policyStart: POLICY_START, tips: true })
            }
          />
        </div>
      ))}
      <p class="note">
        Lines: one seeded run of each arm on the same random numbers. Bands: 5th–95th percentile of{' '}
        {fan ? `${fan.n}` : 'the'} paired replicates over parameter uncertainty and process noise
        {fan && fan.n < fan.target ? ' (still running)' : ''}.
        {series.some((s) => s.observed) && ' Dots: CDC/NCHS final data (the calibration targets).'}
        {notes.map((n) => ` ${n}.`)}
      </p>
      <button
        type="button"
        class="small"
        onClick={async () => {
          const text = series.map((s, i) => rowsText(s.title, s.unit, rows[i], s.difference)).join('\n\n');
          setCopied((await copyText(text)) ? 'copied' : 'copy failed');
          setTimeout(() => setCopied(''), 1500);
        }}
      >
        Copy data
      </button>
      <span class="muted"> {copied}</span>
    </section>
  );
}

/**
 * How a risk is summarised over the projection: its declared summary (`sum` over the years, or the
 * `last` year's value); an outcome without one (probabilities a year, indices) by its mean a year.
 */
function riskSummary(o: { summary?: string; unit: string }): 'sum' | 'last' | 'mean' {
  if (o.summary === 'sum' || o.summary === 'last') return o.summary;
  return 'mean';
}

/**
 * Is the policy arm's risk worse than the base's (beyond rounding)? A risk is worse when higher, unless
 * it is declared to be maximised (regional ties).
 */
function worse(direction: string, b: number, p: number): boolean {
  const tol = 1e-9 * Math.max(1, Math.abs(b));
  return direction === 'maximise' ? p < b - tol : p > b + tol;
}

function RiskPanel(props: { view: SingleView; fan: Fan | null }) {
  const { view, fan } = props;
  const risks = view.outcomes.filter((o) => o.risk);
  const last = view.years[view.years.length - 1];
  const show = (o: { unit: string }, x: number) =>
    /USD/.test(o.unit) ? usd(x) : o.unit === 'probability' ? x.toFixed(3) : fmt(x);
  return (
    <section class="panel" aria-label="Risks">
      <h2>
        Risks recorded, {POLICY_START}–{last}
      </h2>
      <table class="risks" data-testid="risks">
        <thead>
          <tr>
            <th scope="col">Risk</th>
            <th scope="col">No new policy</th>
            <th scope="col">With the policy</th>
            <th scope="col">5–95%</th>
          </tr>
        </thead>
        <tbody>
          {risks.map((o) => {
            const how = riskSummary(o);
            const cells = projectionCells(view, o.path);
            const pick = how === 'last' ? cells.slice(-1) : cells;
            const scale = how === 'mean' && pick.length > 0 ? 1 / pick.length : 1;
            const value = (which: 'base' | 'policy') => {
              const k = view.index.get(o.path);
              if (k === undefined) return Number.NaN;
              return pick.reduce((a, c) => a + view[which][c], 0) * scale;
            };
            const b = value('base');
            const p = value('policy');
            let band = '…';
            if (fan && fan.n > 1) {
              const s = fan.sums(0, pick).map((x) => x * scale);
              band = `${show(o, quantile(s, 0.05))}–${show(o, quantile(s, 0.95))}`;
            }
            const unit = o.unit.replace(/ a year$/, '');
            const what =
              how === 'sum' ? `${unit}, total` : how === 'last' ? `${unit}, ${last}` : `${unit}, mean a year`;
            return (
              <tr key={o.path} class={worse(o.direction, b, p) ? 'up' : ''}>
                <th scope="row" title={o.note ?? ''}>
                  {o.label}
                  <div class="muted">{what}</div>
                </th>
                <td>{show(o, b)}</td>
                <td>{show(o, p)}</td>
                <td>{band}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="note">
        Every outcome the model declares as a risk, over the projection (totals, the last year, or the mean a
        year, as each is declared); harm from strikes, diplomatic crises, partners, regional ties, violence
        and retaliation. The Action table attributes them to the policy's actions.
      </p>
    </section>
  );
}

function CorridorPanel(props: { view: SingleView; width: number }) {
  const commodities = useMemo(
    () => props.view.outcomes.filter((o) => /^flow\.[a-z]+$/.test(o.path)).map((o) => o.path.slice(5)),
    [props.view],
  );
  const [copied, setCopied] = useState('');
  const [mode, setMode] = useState<'map' | 'bars'>('map');
  const map = useMemo(
    () =>
      corridorMap(props.view, scenario.network as unknown as Record<string, MapNetwork>, {
        width: props.width,
        policyStart: POLICY_START,
      }),
    [props.view, props.width],
  );
  const charts = useMemo(
    () =>
      commodities.map((c) => ({
        c,
        chart: corridorChart(props.view, c, { width: props.width, policyStart: POLICY_START }),
      })),
    [props.view, props.width, commodities],
  );
  return (
    <section class="panel" aria-label="Flows by corridor">
      <div class="panel-head">
        <h2>Flows by corridor</h2>
        <fieldset class="toggle" aria-label="Show flows as">
          <button type="button" class="small" aria-pressed={mode === 'map'} onClick={() => setMode('map')}>
            Map
          </button>
          <button type="button" class="small" aria-pressed={mode === 'bars'} onClick={() => setMode('bars')}>
            Bars
          </button>
        </fieldset>
      </div>
      {mode === 'map' ? (
        <Figure label="Schematic map of flows by corridor" deps={[map]} make={() => map.el} />
      ) : (
        charts.map(({ c, chart }) =>
          chart ? (
            <div key={c}>
              <h3>{c.charAt(0).toUpperCase() + c.slice(1)}</h3>
              <Figure label={`${c} flows by corridor`} deps={[chart]} make={() => chart.el} />
            </div>
          ) : null,
        )
      )}
      <p class="note">
        {mode === 'map'
          ? "Schematic: nodes at the centroids of the project's network (data/network), no coastlines. Corridor edges are as wide as the corridor's tonnes with the policy and coloured by the change; grey edges carry no corridor reading. Europe and the precursor sources in Asia are off the map."
          : "Tonnes moved along each corridor of the project's network (data/network), policy years summed."}
      </p>
      <button
        type="button"
        class="small"
        onClick={async () => {
          setCopied((await copyText(map.text)) ? 'copied' : 'copy failed');
          setTimeout(() => setCopied(''), 1500);
        }}
      >
        Copy data
      </button>
      <span class="muted"> {copied}</span>
    </section>
  );
}

function PricePanel(props: { view: SingleView; fan: Fan | null; fanN: number; width: number }) {
  const series = useMemo(() => VIEWS['view:prices'].series(props.view), [props.view]);
  const rows = useMemo(
    () => series.map((s) => lineRows(props.view, props.fan, s)),
    [series, props.view, props.fan, props.fanN],
  );
  return (
    <section class="panel" aria-label="Prices">
      <h2>Retail prices</h2>
      <div class="row two">
        {series.map((s, i) => (
          <div key={s.path}>
            <h3>{s.title}</h3>
            <Figure
              label={`${s.title}, ${s.unit}`}
              deps={[rows[i], props.width]}
              make={() =>
                lineChart(s, rows[i], { width: props.width, height: 200, policyStart: POLICY_START })
              }
            />
          </div>
        ))}
      </div>
    </section>
  );
}

/**
 * The Action · Intended Outcome · Potential Risk table of the run document (`actions`): one row per
 * action (a named group of the policy's lever entries), its intended outcomes and its potential risks
 * as measured quantities, attributed by running the package with and without the action on common
 * random numbers (the single seeded run at declared parameters, as `crossroads run -n 1`). Risks that
 * are zero are left out, as in the CLI's text.
 */
function ActionsTable(props: { actions: unknown }) {
  const rows = Array.isArray(props.actions)
    ? (props.actions.filter((r) => r && typeof r === 'object' && Array.isArray(r.intended)) as ActionRow[])
    : [];
  if (rows.length === 0) return null;
  const list = (entries: ActionRow['intended'], testid: string) => {
    const shown = entries.filter(isNonZero);
    if (shown.length === 0) return <span class="muted">none measured</span>;
    return (
      <ul class="entries" data-testid={testid}>
        {shown.map((e) => (
          <li key={e.outcome}>{fmtEntry(e)}</li>
        ))}
      </ul>
    );
  };
  return (
    <section class="panel actions" aria-label="Actions, intended outcomes and potential risks">
      <h2>Action · Intended outcome · Potential risk</h2>
      <table class="risks action-table" data-testid="actions">
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Intended outcome</th>
            <th scope="col">Potential risk</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <th scope="row">
                {r.name}
                <div class="muted">
                  {r.levers.map((l) => (l.target ? `${l.lever} → ${l.target}` : l.lever)).join(', ')}
                </div>
              </th>
              <td>{list(r.intended, 'intended')}</td>
              <td>
                {list(r.risk, 'risk')}
                {r.alone && (
                  <div class="muted" data-testid="alone">
                    Alone, vs no new policy:{' '}
                    {[...r.alone.intended, ...r.alone.risk].filter(isNonZero).map(fmtEntry).join('; ') ||
                      'no effect measured'}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="note">
        Each action's share of the package's effect in the projection window, from the single seeded run at
        declared parameters: the package run with and without the action on common random numbers (Shapley
        values up to five actions; leave-one-out beyond, with each action alone beneath its row, since
        leave-one-out hides a risk another action already causes). <code>crossroads run -n 100</code> gives
        the intervals over parameter uncertainty.
      </p>
    </section>
  );
}

interface SavedItem {
  name: string;
  revision: number;
}

function App() {
  const init = useMemo(initialState, []);
  const [state, setState] = useState<DashState>(init.state);
  const [message, setMessage] = useState<string | null>(init.error);
  const [view, setView] = useState<SingleView | null>(null);
  const [fan, setFan] = useState<Fan | null>(null);
  const [fanTick, setFanTick] = useState(0);
  const [actions, setActions] = useState<unknown>(undefined);
  const [latency, setLatency] = useState<number | null>(null);
  const [saved, setSaved] = useState<SavedItem[] | null>(null);
  const [saveName, setSaveName] = useState('');
  const requestedAt = useRef(0);
  const mainRef = useRef<HTMLElement>(null);
  const width = useWidth(mainRef, 900);
  const half = Math.max(300, Math.floor((width - 16) / 2) - 28);
  const wide = Math.max(300, Math.floor(((width - 16) * 1.25) / 2.25) - 28);

  const explorer = useMemo(
    () =>
      new Explorer(makeWorker(), makeWorker(), scenario, {
        single: (v, at) => {
          requestedAt.current = at;
          probe.lastRunMs = v.runMs;
          probe.lastArriveMs = performance.now() - at;
          probe.drawMs = 0;
          setView(v);
          setFan(null);
          probe.fanDone = 0;
        },
        fan: (f) => {
          setFan(f);
          setFanTick((t) => t + 1);
          probe.fanDone = f.n;
        },
        actions: (a) => setActions(a),
        error: (err) => setMessage(err instanceof Error ? err.message : String(err)),
      }),
    [],
  );

  // Run on every policy or seed change; keep the URL in step (a shareable link at all times).
  useEffect(() => {
    const r = requested.current;
    if (r && r.policy === state.policy && r.seed === state.seed) return;
    requested.current = { policy: state.policy, seed: state.seed };
    explorer.request(state.policy, state.seed, performance.now());
  }, [state.policy, state.seed]);
  useEffect(() => {
    history.replaceState(null, '', encodeState(state));
  }, [state]);

  // Latency: from the input event to the frame after the charts were replaced (layout effects run
  // after the figures' own, which draw them).
  useLayoutEffect(() => {
    if (!view) return;
    probe.lastDrawMs = probe.drawMs;
    requestAnimationFrame(() => {
      const ms = performance.now() - requestedAt.current;
      probe.runs++;
      probe.lastLatencyMs = ms;
      probe.latencies.push(ms);
      setLatency(ms);
    });
  }, [view]);

  const refreshSaved = async () => {
    try {
      const r = await fetch('api/policies');
      if (!r.ok) throw new Error(`${r.status}`);
      const d = (await r.json()) as { saved: SavedItem[] };
      setSaved(d.saved);
    } catch {
      setSaved(null);
    }
  };
  useEffect(() => {
    void refreshSaved();
  }, []);

  // A lever's change goes to the model at once (before the page re-renders); the effect below
  // runs every other change (presets, loads, seed).
  const stateRef = useRef(state);
  stateRef.current = state;
  const requested = useRef<{ policy: Policy; seed: number } | null>(null);
  const setLever = (c: Control, x: number) => {
    const at = performance.now();
    const s = stateRef.current;
    const policy = modified(withIntensity(s.policy, c, x));
    requested.current = { policy, seed: s.seed };
    explorer.request(policy, s.seed, at);
    setState({ ...s, policy });
  };

  const choosePreset = (name: string) => {
    if (!name) return;
    setState((s) => ({ ...s, policy: shippedPolicy(name, scenario) }));
    setSaveName('');
    setMessage(null);
  };

  const save = async () => {
    const name = saveName.trim();
    if (!name) return setMessage('Give the policy a name to save it.');
    try {
      const r = await fetch(`api/policies/${encodeURIComponent(name)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ policy: { ...state.policy, name } }),
      });
      const d = await r.json();
      if (!r.ok)
        throw new Error(
          (d.issues as { path: string; expected: string }[] | undefined)
            ?.map((i) => `${i.path}: expected ${i.expected}`)
            .join('; ') || d.error,
        );
      setState((s) => ({ ...s, policy: { ...s.policy, name } }));
      setMessage(`Saved “${name}” (revision ${d.revision}).`);
      await refreshSaved();
    } catch (err) {
      setMessage(`Could not save: ${(err as Error).message}`);
    }
  };

  const load = async (name: string) => {
    if (!name) return;
    try {
      const r = await fetch(`api/policies/${encodeURIComponent(name)}`);
      const d = await r.json();
      if (!r.ok) throw new Error(d.error);
      setState((s) => ({ ...s, policy: resolvePolicy(d.policy, scenario) }));
      setSaveName(name);
      setMessage(`Loaded “${name}”.`);
    } catch (err) {
      setMessage(`Could not load: ${(err as Error).message}`);
    }
  };

  const remove = async (name: string) => {
    const r = await fetch(`api/policies/${encodeURIComponent(name)}`, { method: 'DELETE' });
    setMessage(r.ok ? `Deleted “${name}”.` : `Could not delete “${name}”.`);
    await refreshSaved();
  };

  const presetValue = shippedPolicyNames().includes(state.policy.name) ? state.policy.name : '';
  return (
    <div class="layout">
      <header>
        <h1>
          Crossroads <span>pull a lever, see the consequences</span>
        </h1>
        <div class="toolbar">
          <label>
            Preset{' '}
            <select
              data-testid="preset"
              value={presetValue}
              onChange={(e) => choosePreset((e.target as HTMLSelectElement).value)}
            >
              <option value="">(custom)</option>
              {shippedPolicyNames().map((n) => (
                <option value={n} key={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            Seed{' '}
            <input
              type="number"
              min={0}
              step={1}
              value={state.seed}
              class="seed"
              onChange={(e) => {
                const v = Number((e.target as HTMLInputElement).value);
                if (Number.isSafeInteger(v) && v >= 0) setState((s) => ({ ...s, seed: v }));
              }}
            />
          </label>
          <button
            type="button"
            onClick={async () =>
              setMessage(
                (await copyText(location.href)) ? 'Link copied: it holds the whole state.' : location.href,
              )
            }
          >
            Copy link
          </button>
          <button type="button" onClick={() => setState(startState())}>
            Reset
          </button>
        </div>
      </header>
      <aside>
        <div class="policy-box">
          <div class="policy-name" data-testid="policy-name">
            Policy: <strong>{state.policy.name}</strong>
          </div>
          {state.policy.description && <p class="muted desc">{state.policy.description}</p>}
          <div class="save">
            <input
              aria-label="Name to save the policy under"
              placeholder="name to save as"
              value={saveName}
              onInput={(e) => setSaveName((e.target as HTMLInputElement).value)}
              data-testid="save-name"
            />
            <button
              type="button"
              onClick={save}
              disabled={saved === null}
              title={saved === null ? 'saving needs the server (crossroads serve)' : ''}
            >
              Save
            </button>
          </div>
          {saved && saved.length > 0 && (
            <div class="saved">
              <label>
                Saved{' '}
                <select
                  data-testid="saved"
                  value=""
                  onChange={(e) => void load((e.target as HTMLSelectElement).value)}
                >
                  <option value="">load…</option>
                  {saved.map((p) => (
                    <option value={p.name} key={p.name}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </label>
              {saveName && saved.some((p) => p.name === saveName) && (
                <button type="button" class="small" onClick={() => void remove(saveName)}>
                  Delete “{saveName}”
                </button>
              )}
            </div>
          )}
          {saved === null && <p class="muted">Saving needs the server; the link above works without it.</p>}
        </div>
        <LeverPanel policy={state.policy} view={view} onSet={setLever} />
      </aside>
      <main ref={mainRef}>
        {message && (
          <div class="message" role="status">
            {message}{' '}
            <button type="button" class="small" onClick={() => setMessage(null)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {view ? (
          <>
            <Summary view={view} fan={fan} />
            <div class="status" data-testid="status" data-fan={fanTick}>
              Single paired run {fmt(view.runMs)} ms
              {latency !== null ? `, on screen ${fmt(latency)} ms after the change` : ''} · uncertainty:{' '}
              {fan ? fan.n : 0} of {FAN.n} paired replicates
              {fan && fan.n === FAN.n ? ' (done)' : ' (running)'} · {ARM.policy} vs {ARM.base}, seed{' '}
              {state.seed}
            </div>
            <div class="row two">
              {state.graphs.map((g, slot) => (
                <LargeGraph
                  key={slot}
                  slot={slot}
                  choice={g}
                  view={view}
                  fan={fan}
                  fanN={fan?.n ?? 0}
                  width={half}
                  onChoose={(c) =>
                    setState((s) => {
                      const graphs: [string, string] = [...s.graphs];
                      graphs[slot] = c;
                      return { ...s, graphs };
                    })
                  }
                />
              ))}
            </div>
            {actions !== undefined && <ActionsTable actions={actions} />}
            <div class="row map-risk">
              <CorridorPanel view={view} width={wide} />
              <RiskPanel view={view} fan={fan} />
            </div>
            <PricePanel view={view} fan={fan} fanN={fan?.n ?? 0} width={half} />
          </>
        ) : (
          <p class="loading">Running the model…</p>
        )}
        <footer class="muted">
          Model {scenario.name} scenario · the same code runs here (in Web Workers), on the server (
          <a href="api/openapi.json">API</a>) and in <code>crossroads run</code>.
        </footer>
      </main>
    </div>
  );
}

const root = document.getElementById('app') as HTMLElement;
root.replaceChildren();
render(<App />, root);
