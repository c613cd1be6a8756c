/**
 * Old against new in one invocation: `npm run bench -- --baseline <git-ref> [--blocks N]`.
 *
 * The ref's tree is exported (`git archive`, so nothing is added to the repository's worktree list)
 * into a temporary directory, given this checkout's node_modules by a symlink and compiled there with
 * this checkout's `tsc`. Both builds' `runModel`s are loaded into this process and timed in
 * alternating blocks (old-new, then new-old, ...), each block one run of the default scenario under
 * every shipped policy with that block's seed, each build running its own scenario and policy
 * loaders. Blocks are timed in this thread's CPU time (a shared machine's other loads then cost
 * little but cache and clock contention) and the drift hits both builds alike, so the per-block
 * ratio new/old is the figure to read; its quartiles over the blocks show the spread. Both builds' results are compared on one run
 * (identical or not; figures only, no pass/fail). The temporary directory is removed at the end.
 * The ref must have `src/engine/run.ts` (`runModel`) and `src/cli/inputs.ts` (`loadScenario`,
 * `shippedPolicies`, `loadPolicy`), and compile against this checkout's dependencies.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Build {
  label: string;
  runModel: (input: { scenario: unknown; policy: unknown; seed: number }) => { annual: unknown[] };
  scenario: unknown;
  policies: unknown[];
}

/** The repository root of this build (dist/bench/baseline.js -> two folders up). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function loadBuild(distRoot: string, label: string): Promise<Build> {
  const at = (p: string) => pathToFileURL(join(distRoot, p)).href;
  const run = await import(at('src/engine/run.js'));
  const inputs = await import(at('src/cli/inputs.js'));
  const scenario = inputs.loadScenario();
  const names: string[] = inputs.shippedPolicies();
  const policies = names.map((n) => inputs.loadPolicy(n, scenario));
  return { label, runModel: run.runModel, scenario, policies };
}

/** Export `ref` into a temporary directory and compile it there; returns the directory. */
function buildRef(ref: string): { dir: string; sha: string } {
  const git = (...a: string[]) =>
    execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let sha: string;
  try {
    sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  } catch {
    console.error(`bench: --baseline ${JSON.stringify(ref)}: expected a git ref of this repository`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'crossroads-baseline-'));
  try {
    const tar = join(dir, 'tree.tar');
    execFileSync('git', ['archive', '--format=tar', '-o', tar, sha], { cwd: ROOT });
    mkdirSync(join(dir, 'tree'));
    execFileSync('tar', ['-xf', tar, '-C', join(dir, 'tree')]);
    rmSync(tar);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'tree', 'node_modules'), 'dir');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: join(dir, 'tree'),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, sha };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}

/**
 * Milliseconds per run of one block (every policy once with the block's seed): this thread's CPU
 * time, which time spent waiting for a core on a shared machine does not inflate, and wall time.
 */
function block(b: Build, seed: number): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let sink = 0;
  for (const policy of b.policies) sink += b.runModel({ scenario: b.scenario, policy, seed }).annual.length;
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (sink < 0) console.log(sink);
  return { cpu: (c.user + c.system) / 1000 / b.policies.length, wall: wall / b.policies.length };
}

/** Time the build of `ref` against this build, interleaved; print medians and the ratio. */
export async function benchBaseline(ref: string, blocks: number): Promise<void> {
  const t0 = performance.now();
  const { dir, sha } = buildRef(ref);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const distOld = join(dir, 'tree', 'dist');
    if (!existsSync(join(distOld, 'src/engine/run.js')))
      throw new Error(`bench: ${ref} built no dist/src/engine/run.js`);
    console.log(
      `\nbaseline ${ref} (${sha.slice(0, 7)}) built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await compareBuilds(
      distOld,
      `old ${ref} (${sha.slice(0, 7)})`,
      join(ROOT, 'dist'),
      'new (this checkout)',
      blocks,
    );
  } finally {
    cleanup();
  }
}

/** Load two compiled builds (their `dist` folders) and time them in alternating blocks. */
export async function compareBuilds(
  distOld: string,
  labelOld: string,
  distNew: string,
  labelNew: string,
  blocks: number,
): Promise<void> {
  const oldBuild = await loadBuild(distOld, labelOld);
  const newBuild = await loadBuild(distNew, labelNew);
  // Identical when every number the old build records is in the new build's records at the same
  // path with the same bits (the new build may record more: added outcomes are not a difference).
  const leaves = (x: unknown, path: string, out: Map<string, number>): Map<string, number> => {
    if (typeof x === 'number') out.set(path, x);
    else if (x && typeof x === 'object')
      for (const [k, v] of Object.entries(x)) leaves(v, `${path}.${k}`, out);
    return out;
  };
  const fingerprint = (b: Build) =>
    leaves(b.runModel({ scenario: b.scenario, policy: b.policies.at(-1), seed: 1 }).annual, '', new Map());
  const before = fingerprint(oldBuild);
  const after = fingerprint(newBuild);
  const identical = [...before].every(([k, v]) => after.has(k) && Object.is(after.get(k), v));
  console.log(
    `    default scenario; ${oldBuild.policies.length} shipped policies (old), ${newBuild.policies.length} (new)`,
  );
  // Warm-up: a few blocks each, discarded.
  for (let i = 0; i < 5; i++) {
    block(oldBuild, 1000 + i);
    block(newBuild, 1000 + i);
  }
  const oldMs: number[] = [];
  const newMs: number[] = [];
  const oldWall: number[] = [];
  const newWall: number[] = [];
  const ratio: number[] = [];
  for (let i = 0; i < blocks; i++) {
    const seed = i + 1;
    let o: { cpu: number; wall: number };
    let n: { cpu: number; wall: number };
    if (i % 2 === 0) {
      o = block(oldBuild, seed);
      n = block(newBuild, seed);
    } else {
      n = block(newBuild, seed);
      o = block(oldBuild, seed);
    }
    oldMs.push(o.cpu);
    newMs.push(n.cpu);
    oldWall.push(o.wall);
    newWall.push(n.wall);
    ratio.push(n.cpu / o.cpu);
  }
  const runs = blocks * newBuild.policies.length;
  console.log(
    `    ${blocks} alternating blocks, ${runs} runs per build (each block: every shipped policy once)`,
  );
  for (const [b, xs, ws] of [
    [oldBuild, oldMs, oldWall],
    [newBuild, newMs, newWall],
  ] as const)
    console.log(
      `    ${b.label.padEnd(32)} CPU median ${quantile(xs, 0.5).toFixed(3)} ms per run (quartiles ${quantile(xs, 0.25).toFixed(3)}-${quantile(xs, 0.75).toFixed(3)}); wall median ${quantile(ws, 0.5).toFixed(3)} ms`,
    );
  console.log(
    `    ratio new/old of CPU time by block: median ${quantile(ratio, 0.5).toFixed(3)} (quartiles ${quantile(ratio, 0.25).toFixed(3)}-${quantile(ratio, 0.75).toFixed(3)}, min ${Math.min(...ratio).toFixed(3)}, max ${Math.max(...ratio).toFixed(3)})`,
  );
  console.log(
    `    ratio of the CPU medians new/old: ${(quantile(newMs, 0.5) / quantile(oldMs, 0.5)).toFixed(3)}`,
  );
  console.log(
    `    results of the last policy, seed 1: ${identical ? 'identical' : 'DIFFERENT'} between the builds (every value the old build records${after.size > before.size ? `; the new one records ${after.size - before.size} more` : ''})`,
  );
}
