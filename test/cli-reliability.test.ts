/**
 * Issue 10, row by row: nothing crashes, nothing is destroyed, nothing is left behind. Each test
 * reproduces one row of the table as a user or a reliability tester would meet it: bad
 * `--out` targets (checked before any run), special files, broken pipes, a full disk, killed runs,
 * Ctrl-C during `calibrate`, `validate` in one pass, strict JSON, errors naming the user's file, and
 * early-start policies. Commands run in-process where they can, and as the real binary (dist/, built
 * by the vitest global setup) where a signal, a pipe or a second user is needed.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { csvDocument, csvField } from '../src/core/text.js';
import { outputError } from '../src/experiment/output.js';
import { captureStdio } from './helpers/stdio.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'crossroads');
const io = captureStdio();
const work = mkdtempSync(join(tmpdir(), 'crossroads-reliability-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Run the real binary; returns status, signal, stdout and stderr. */
function cli(args: string[], options: { uid?: number; gid?: number; timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: options.timeout ?? 120_000,
    uid: options.uid,
    gid: options.gid,
  });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Run a shell pipeline (bash), returning what it prints. */
function sh(script: string): string {
  return execFileSync('bash', ['-c', script], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
}

/** One clear line on stderr, no stack trace. */
function expectOneLine(err: string, pattern: RegExp): void {
  const lines = err.trim().split('\n');
  expect(lines, err).toHaveLength(1);
  expect(err).toMatch(pattern);
  expect(err).not.toMatch(/internal error|\n\s+at /);
}

const isRoot = process.getuid?.() === 0;

describe('bad --out targets: one line, exit 2, before any run', () => {
  const bad: [string, string, RegExp][] = [
    ['a missing directory', join(work, 'missing', 'x.out'), /does not exist/],
    ['a directory', work, /not a directory/],
    ['under /proc', '/proc/crossroads-x.json', /writ/],
  ];
  for (const cmd of [['run', '-n', '1'], ['network'], ['schema']]) {
    for (const [what, target, msg] of bad) {
      it(`${cmd[0]} --out into ${what}`, async () => {
        expect(await main([...cmd, '--out', target])).toBe(2);
        expectOneLine(io.err, msg);
        expect(io.out).toBe('');
      });
    }
  }
  for (const cmd of [
    ['ensemble', '-n', '400'],
    ['compare', 'demand-package', 'none', '-n', '400'],
    ['run', '-n', '400'],
  ]) {
    it(`${cmd[0]} with a bad --out stops before the runs`, async () => {
      const t0 = performance.now();
      expect(await main([...cmd, '--out', join(work, 'missing', 'x.csv')])).toBe(2);
      expectOneLine(io.err, /--out: .*does not exist/);
      // 400 replicates take seconds; the check takes milliseconds, and no progress was printed.
      expect(performance.now() - t0).toBeLessThan(1500);
    });
  }
  it('ensemble with a bad --replicates-file stops before the runs', async () => {
    expect(await main(['ensemble', '-n', '400', '--replicates-file', join(work, 'nope', 'r.csv')])).toBe(2);
    expectOneLine(io.err, /--replicates-file: .*does not exist/);
  });
  it('a read-only directory, as a normal user', async () => {
    const ro = join(work, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    // root writes anywhere: run the binary as the unprivileged `nobody` then. Where `nobody` cannot
    // reach the package (a checkout under /root), the unwritable target is /proc instead, in-process.
    const as = isRoot ? { uid: 65534, gid: 65534 } : {};
    const reachable =
      !isRoot ||
      spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, 4)`], as)
        .status === 0;
    if (!reachable) {
      console.log('read-only test: nobody cannot reach the package here; checking /proc in-process instead');
      return expect(main(['calibrate', '--out-dir', '/proc/crossroads-ro'])).resolves.toBe(2);
    }
    for (const args of [
      ['run', '-n', '1', '--out', join(ro, 'x.json')],
      ['network', '--out', join(ro, 'x.txt')],
      ['ensemble', '-n', '5', '--no-progress', '--out', join(ro, 'x.csv')],
    ]) {
      const r = cli(args, as);
      expect(r.status, r.err).toBe(2);
      expectOneLine(
        r.err,
        /--out: got ".*read-only\/x\.\w+", expected a file in a directory you may write to \(EACCES/,
      );
    }
    const cal = cli(['calibrate', '--out-dir', ro], as);
    expect(cal.status, cal.err).toBe(2);
    expectOneLine(
      cal.err,
      /--out-dir: got ".*read-only\/fitted\.json", expected a file in a directory you may write to \(EACCES/,
    );
    expect(readdirSync(ro)).toEqual([]);
  });
});

describe('special files are refused, symlinks followed', () => {
  it('refuses a FIFO without blocking on it', async () => {
    const fifo = join(work, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(await main(['schema', '--out', fifo])).toBe(2);
    expectOneLine(io.err, /expected a regular file \(this is a FIFO/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
  it('refuses a device node and leaves it a device', async () => {
    // A private copy of /dev/null where we may make one (root), else /dev/null itself (which a
    // normal user could not replace anyway).
    let dev = '/dev/null';
    if (isRoot) {
      dev = join(work, 'null-device');
      execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    }
    expect(await main(['run', '-n', '1', '--out', dev])).toBe(2);
    expectOneLine(io.err, /expected a regular file \(this is a character device/);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(await main(['network', '--out', '/dev/full'])).toBe(2);
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
  });
  it('writes through a symlink to its target and keeps the link', async () => {
    const real = join(work, 'real-schema.json');
    writeFileSync(real, 'old');
    const link = join(work, 'link-schema.json');
    symlinkSync(real, link);
    expect(await main(['schema', '--kind', 'policy', '--out', link])).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(JSON.parse(readFileSync(real, 'utf8')).type).toBe('object');
  });
  it('refuses a dangling symlink', async () => {
    const link = join(work, 'dangling');
    symlinkSync(join(work, 'no-such-dir', 'x'), link);
    expect(await main(['schema', '--out', link])).toBe(2);
    expectOneLine(io.err, /a symlink to an existing file/);
  });
});

describe('broken pipes and full disks', () => {
  it('run --format json | head -c 100 ends quietly', () => {
    const out = sh(
      `node ${BIN} run -n 1 --format json 2>${work}/err.tmp | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"; cat ${work}/err.tmp`,
    );
    expect(out.trim()).toBe('0');
  });
  it('ensemble --format csv | head ends quietly', () => {
    const out = sh(
      `node ${BIN} ensemble -n 50 --format csv --no-progress 2>${work}/err.tmp | head -n 2 >/dev/null; echo "\${PIPESTATUS[0]}"; cat ${work}/err.tmp`,
    );
    expect(out.trim()).toBe('0');
  });
  it('stdout on a full disk: one line and exit 2', () => {
    const out = sh(
      `node ${BIN} run -n 1 >/dev/full 2>${work}/err.tmp; echo "status $?"; cat ${work}/err.tmp`,
    );
    const [status, ...err] = out.trim().split('\n');
    expect(status).toBe('status 2');
    expectOneLine(err.join('\n'), /cannot write the output to stdout \(ENOSPC/);
  });
  it('a file on a full disk: the error names the flag and the file', () => {
    const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(outputError('--out', '/data/x.csv', err).message).toBe(
      'experiment/output: --out: got "/data/x.csv", expected a file on a device with free space (ENOSPC: no space left on device, write)',
    );
  });
});

describe('killed runs leave nothing behind', () => {
  /** Start an ensemble writing rows, kill -9 it mid-run, return the target directory's names. */
  async function killMidRun(name: string): Promise<{ dir: string; pid: number }> {
    const dir = mkdtempSync(join(work, 'killed-'));
    writeFileSync(join(dir, name), 'old rows\n');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'ensemble',
        '-n',
        '20000',
        '-t',
        '1',
        '--replicates-file',
        join(dir, name),
        '--out',
        join(dir, 'bands.csv'),
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // Wait until the runs are under way (progress on stderr), then kill without warning.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        if (/replicates \(\d+%\)/.test(String(d))) resolve();
      });
      child.on('exit', () => reject(new Error('the ensemble ended before it was killed')));
    });
    await new Promise((r) => setTimeout(r, 300));
    const pid = child.pid as number;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    return { dir, pid };
  }
  const rowDirsOf = (pid: number) =>
    readdirSync(tmpdir()).filter((n) => n.startsWith(`crossroads-rows-${pid}-`));

  for (const name of ['r.csv', 'r.parquet']) {
    it(`kill -9 during ensemble --replicates-file ${name}`, async () => {
      const { dir, pid } = await killMidRun(name);
      // The target directory holds exactly what it held before: the old file, intact.
      expect(readdirSync(dir)).toEqual([name]);
      expect(readFileSync(join(dir, name), 'utf8')).toBe('old rows\n');
      // The killed run's private rows directory outlives it, until the next run removes it.
      expect(rowDirsOf(pid)).toHaveLength(1);
      const out = join(work, `next-${name}`);
      expect(await main(['ensemble', '-n', '2', '--no-progress', '--replicates-file', out])).toBe(0);
      expect(rowDirsOf(pid)).toHaveLength(0);
      expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`crossroads-rows-${process.pid}-`))).toEqual(
        [],
      );
    });
  }
  it('a temporary name left beside a target by a dead process is removed by the next write', async () => {
    const dir = mkdtempSync(join(work, 'stale-'));
    // A pid far above any live one (pid_max is at most 2^22).
    writeFileSync(join(dir, '.x.json.99999999-1.tmp'), 'partial');
    writeFileSync(join(dir, '.crossroads-tmp-99999999-x.json'), 'partial');
    expect(await main(['schema', '--out', join(dir, 'x.json')])).toBe(0);
    expect(readdirSync(dir)).toEqual(['x.json']);
  });
});

describe('calibrate', () => {
  it('stops at Ctrl-C at once and writes nothing', async () => {
    const out = join(work, 'cal-interrupted');
    const child = spawn(process.execPath, [BIN, 'calibrate', '--out-dir', out], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        if (/fitting/.test(String(d))) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.on('exit', (c, s) => r([c, s])),
    );
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(code === 130 || signal === 'SIGINT').toBe(true);
    expect(existsSync(out)).toBe(false);
  });
  it('never writes the shipped calibration unless asked', async () => {
    expect(await main(['calibrate'])).toBe(2);
    expectOneLine(io.err, /--out-dir: got nothing \(missing\), expected a directory .* or --update-shipped/);
  });
  it('checks --out-dir before fitting', async () => {
    const t0 = performance.now();
    expect(await main(['calibrate', '--out-dir', '/proc/crossroads-cal'])).toBe(2);
    expectOneLine(io.err, /--out-dir: got "\/proc\/crossroads-cal", expected/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
  it('--help says what --iterations counts', () => {
    const r = cli(['calibrate', '--help']);
    expect(r.out).toMatch(/--iterations <n>\s+iterations per chain of the shipped fit/);
    expect(r.out).toMatch(/--update-shipped/);
  });
});

describe('input files', () => {
  it('validate reports every problem of a scenario in one pass', async () => {
    const f = join(work, 'three.yaml');
    writeFileSync(
      f,
      'name: three\ncolour: blue\nparameters:\n  health.moudOverdoseHazardRatio: 1.7\n  health.noSuchParameter: 3\n',
    );
    expect(await main(['validate', f])).toBe(2);
    expect(io.err).toMatch(/3 problems/);
    expect(io.err).toMatch(/\(root\): got "colour"/);
    expect(io.err).toMatch(/parameters\.health\.moudOverdoseHazardRatio\.value: got 1\.7/);
    expect(io.err).toMatch(/parameters\.health\.noSuchParameter: got/);
  });
  it('validate reports all 6 problems of the bad scenario fixture and all 5 of the bad policy', async () => {
    expect(await main(['validate', join(ROOT, 'test', 'fixtures', 'bad-scenario.yaml')])).toBe(2);
    expect(io.err).toMatch(/6 problems in this scenario file/);
    io.err = '';
    expect(await main(['validate', join(ROOT, 'test', 'fixtures', 'bad-policy.yaml')])).toBe(2);
    expect(io.err).toMatch(/5 problems in this policy file/);
    for (const p of ['levers[0].intensity', 'levers[1].lever', 'levers[2].start', 'levers[3].rampMonths'])
      expect(io.err).toContain(p);
  });
  it('reads .json as strict JSON (a trailing comma is an error)', async () => {
    const f = join(work, 'trailing.json');
    writeFileSync(f, '{"name": "t", "levers": [{"lever": "naloxone", "intensity": 1000},]}');
    expect(await main(['validate', f])).toBe(2);
    expect(io.err).toMatch(/trailing\.json: got .*, expected strict JSON/);
    io.err = '';
    expect(await main(['run', '-n', '1', '--policy', f])).toBe(2);
    expect(io.err).toMatch(/expected strict JSON/);
  });
  it('a bad --accepted FILE is named as given', async () => {
    const f = join(work, 'my-accepted.json');
    writeFileSync(f, '{"parameters": ["health.opioidOverdoseHazard"], "sets": [["x"]]}');
    expect(await main(['ensemble', '-n', '2', '--no-progress', '--accepted', f])).toBe(2);
    expect(io.err).toContain(f);
    expect(io.err).not.toContain('data/calibration/accepted.json');
    io.err = '';
    expect(await main(['ensemble', '-n', '2', '--no-progress', '--accepted', 'no-such-accepted.json'])).toBe(
      2,
    );
    expectOneLine(
      io.err,
      /--accepted: got "no-such-accepted\.json", expected an existing accepted-sets file/,
    );
  });
  it('errors in a policy or scenario file name the file', async () => {
    const f = join(work, 'named-policy.yaml');
    writeFileSync(f, 'name: p\nlevers:\n  - lever: naloxone\n    intensity: -1\n');
    expect(await main(['compare', 'demand-package', f, '-n', '2'])).toBe(2);
    expect(io.err).toMatch(/named-policy\.yaml: 1 problem in this policy \(POLICY_B\)/);
  });
});

describe('the manifest names the accepted sets by repository-relative name and hash', () => {
  it('never records the checkout’s absolute path', async () => {
    expect(await main(['ensemble', '-n', '2', '--no-progress', '--format', 'json'])).toBe(0);
    const doc = JSON.parse(io.out);
    const calibrated = doc.manifest.parameters.calibrated;
    expect(calibrated.source).toBe('data/calibration/accepted.json');
    const bytes = readFileSync(join(ROOT, 'data', 'calibration', 'accepted.json'));
    expect(calibrated.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(io.out).not.toContain(ROOT);
  });
});

describe('early-start policies are summarised over the years they act', () => {
  const early = join(work, 'early.yaml');
  writeFileSync(
    early,
    'name: early\nlevers:\n  - lever: naloxone\n    intensity: 2000000\n    start: 2019-01\n',
  );
  it('single run: the summary starts in 2019 and the table marks 2019-2025', async () => {
    expect(await main(['run', '-n', '1', '--policy', early, '--format', 'json'])).toBe(0);
    const r = JSON.parse(io.out);
    expect(r.summary.period).toEqual([2019, 2035]);
    const averted = (y: number) =>
      r.counterfactual.annual.find((a: { year: number }) => a.year === y).deaths.total -
      r.annual.find((a: { year: number }) => a.year === y).deaths.total;
    let sum = 0;
    for (let y = 2019; y <= 2035; y++) sum += averted(y);
    expect(r.summary.deaths.averted).toBeCloseTo(sum, 6);
    expect(averted(2019)).toBeGreaterThan(0);
    io.out = '';
    expect(await main(['run', '-n', '1', '--policy', early])).toBe(0);
    expect(io.out).toMatch(/^2018 /m);
    expect(io.out).toMatch(/^2019\*/m);
    expect(io.out).toMatch(/^2026\*/m);
    expect(io.out).toMatch(/The policy acts from 2019, before the scenario's policy start \(2026\)/);
    expect(io.out).toMatch(/^2019-2035: deaths/m);
  });
  it('paired ensemble: the summary covers 2019-2035 and counts the early deaths averted', async () => {
    expect(await main(['run', '-n', '20', '--policy', early, '--format', 'json'])).toBe(0);
    const r = JSON.parse(io.out);
    expect(r.summary.period).toEqual([2019, 2035]);
    expect(r.summary.deaths.averted).toBeGreaterThan(1000);
  });
  it('a policy starting at the policy start keeps the 2026 window', async () => {
    expect(await main(['run', '-n', '1', '--policy', 'demand-package', '--format', 'json'])).toBe(0);
    expect(JSON.parse(io.out).summary.period).toEqual([2026, 2035]);
  });
});

describe('what the README says is what the tool prints', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  it('compare prints "-" for P(A beats B) in history years, where every replicate ties', async () => {
    expect(await main(['compare', 'demand-package', 'none', '-n', '10', '--no-progress'])).toBe(0);
    const row2015 = io.out.split('\n').find((l) => l.startsWith('2015'));
    expect(row2015?.trim().endsWith('-')).toBe(true);
    const row2030 = io.out.split('\n').find((l) => l.startsWith('2030'));
    expect(row2030).toMatch(/\d+%$/);
  });
  it('names every shipped policy', async () => {
    expect(await main(['policies'])).toBe(0);
    const lines = io.out.trim().split('\n');
    const names = lines.map((l) => l.split(/\s+/)[0]);
    expect(names.length).toBeGreaterThanOrEqual(10);
    // Name first, then the policy's description.
    expect(lines.find((l) => l.startsWith('maritime-surge'))).toMatch(/^maritime-surge\s+\S/);
    for (const n of names) expect(readme).toContain(`\`${n}\``);
  });
  it('its CSV example is what run -n 1 --format csv prints, and says so', async () => {
    expect(await main(['run', '-n', '1', '--format', 'csv'])).toBe(0);
    const header = io.out.split('\n')[0];
    expect(readme).toContain(
      `\`crossroads run -n 1 --format csv\` gives one row per arm and year:\n\`${header}\``,
    );
  });
  it('its test command is what .ci/run runs', () => {
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm ci && npm test$/m);
    expect(readme).toMatch(/npm ci && npm test /);
  });
});

describe('one CSV writer', () => {
  it('quotes commas, quotes, line feeds and carriage returns', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('a\rb')).toBe('"a\rb"');
    expect(csvField(null)).toBe('');
    expect(csvDocument(['x', 'y'], [[1, 'p\rq']])).toBe('x,y\n1,"p\rq"\n');
  });
});
