/** The HTTP API in-process (fastify's inject): runs, compare, ensemble jobs, policies, schemas, limits. */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPolicyWithActions } from '../src/experiment/actions.js';
import { intervalRunText } from '../src/experiment/session.js';
import { defaultScenario } from '../src/scenario/default.js';
import { shippedPolicy } from '../src/scenario/shipped.js';
import { buildServer } from '../src/server/app.js';
import { LIMITS } from '../src/server/schemas.js';
import { defaultDataDir, PolicyStore } from '../src/server/store.js';

const dir = mkdtempSync(join(tmpdir(), 'crossroads-server-'));
const web = mkdtempSync(join(tmpdir(), 'crossroads-web-'));
writeFileSync(join(web, 'index.html'), '<!doctype html><title>x</title>');
let app: ReturnType<typeof buildServer>;

beforeAll(() => {
  app = buildServer({ dataDir: join(dir, 'data'), webRoot: web });
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(web, { recursive: true, force: true });
});

const post = (url: string, payload?: unknown) =>
  app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('POST /api/runs', () => {
  it('one replicate gives the document of `crossroads run -n 1 --format json`', async () => {
    const res = await post('/api/runs', { policy: 'demand-package', replicates: 1, seed: 3 });
    expect(res.statusCode).toBe(200);
    const s = defaultScenario();
    const expected = runPolicyWithActions(s, shippedPolicy('demand-package', s), 3).result;
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('replicates > 1 gives the interval document of `crossroads run --format json`', async () => {
    const res = await post('/api/runs', { policy: 'naloxone-scale-up', replicates: 2 });
    expect(res.statusCode).toBe(200);
    const s = defaultScenario();
    const text = await intervalRunText({
      scenario: s,
      policy: shippedPolicy('naloxone-scale-up', s),
      n: 2,
      seed: 1,
      format: 'json',
    });
    expect(res.body).toBe(text);
  });

  it('an empty body runs the default (no new policy, seed 1, 100 replicates)', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/runs' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.manifest.policy.name).toBe('no new policy');
    expect(doc.manifest.seed).toBe(1);
    expect(doc.ensemble.n).toBe(100);
  }, 120_000);

  it('a policy document in the body is validated by the model: the 400 names the field', async () => {
    const res = await post('/api/runs', {
      replicates: 1,
      policy: { name: 'x', levers: [{ lever: 'naloxone', intensity: -5 }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0]).toMatchObject({ path: 'policy.levers[0].intensity', value: -5 });
  });

  it('unknown fields, bad types and too many replicates are refused with the field named', async () => {
    const bad = await post('/api/runs', { seeds: 3, replicates: LIMITS.syncReplicates + 1, policy: 7 });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['replicates', 'policy']));
    expect(JSON.stringify(bad.json().issues)).toContain('seeds');
    const unknown = await post('/api/runs', { policy: 'no-such-policy', replicates: 1 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues[0].path).toBe('policy');
    const assumptions = await post('/api/runs', { assumptions: '../../etc/passwd', replicates: 1 });
    expect(assumptions.statusCode).toBe(400);
    expect(assumptions.json().issues[0].path).toBe('assumptions');
  });

  it('a body over the size limit or not JSON is a 4xx with an issue', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/api/runs',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ scenario: { pad: 'x'.repeat(LIMITS.bodyBytes) } }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().issues[0].path).toBe('(body)');
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/runs',
      headers: { 'content-type': 'application/json' },
      payload: '{"policy":',
    });
    expect(notJson.statusCode).toBe(400);
  });

  it('a scenario document is resolved by the model; its issues are prefixed with scenario.', async () => {
    const res = await post('/api/runs', { scenario: { horizon: 'soon' }, replicates: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path.startsWith('scenario')).toBe(true);
  });
});

describe('compare and ensemble jobs', () => {
  it('compare gives both arms, the difference and P(A beats B)', async () => {
    const res = await post('/api/compare', { a: 'demand-package', b: 'none', replicates: 3 });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.manifest.kind).toBe('paired');
    expect(doc.difference.name).toBe('demand-package - none');
    expect(doc.a.annual.length).toBeGreaterThan(10);
  });

  it('a job runs to done with progress, and a running job can be cancelled', async () => {
    const start = await post('/api/ensembles', { policy: 'naloxone-scale-up', replicates: 4 });
    expect(start.statusCode).toBe(202);
    const id = start.json().id;
    let job = start.json();
    for (let i = 0; i < 600 && job.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await app.inject({ url: `/api/ensembles/${id}` })).json();
    }
    expect(job.status).toBe('done');
    expect(job.progress).toEqual({ done: 4, total: 4 });
    expect(job.result.manifest.n).toBe(4);

    const long = await post('/api/ensembles', {
      policy: 'demand-package',
      against: 'none',
      replicates: 5000,
    });
    const lid = long.json().id;
    for (let i = 0; i < 200; i++) {
      const j = (await app.inject({ url: `/api/ensembles/${lid}` })).json();
      if (j.status === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const cancelled = await app.inject({ method: 'DELETE', url: `/api/ensembles/${lid}` });
    expect(cancelled.statusCode).toBe(200);
    let lj = cancelled.json();
    for (let i = 0; i < 400 && lj.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      lj = (await app.inject({ url: `/api/ensembles/${lid}` })).json();
    }
    expect(lj.status).toBe('cancelled');
    expect(lj.progress.done).toBeLessThan(5000);
    expect((await app.inject({ url: '/api/ensembles/nope' })).statusCode).toBe(404);
  }, 60_000);

  it('replicates above the job limit are refused', async () => {
    const res = await post('/api/ensembles', { replicates: LIMITS.jobReplicates + 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('replicates');
  });
});

describe('policies', () => {
  const policy = {
    name: 'my package',
    levers: [{ lever: 'naloxone', intensity: 1000000, rampMonths: 12 }],
  };

  it('create, read, list, run by name, delete', async () => {
    const put = await app.inject({ method: 'PUT', url: '/api/policies/my-package', payload: { policy } });
    expect(put.statusCode).toBe(200);
    expect(put.json().revision).toBe(1);
    const got = await app.inject({ url: '/api/policies/my-package' });
    expect(got.json().policy).toEqual(policy);
    const list = (await app.inject({ url: '/api/policies' })).json();
    expect(list.shipped).toContain('demand-package');
    expect(list.saved.map((p: { name: string }) => p.name)).toEqual(['my-package']);
    const run = await post('/api/runs', { policy: 'my-package', replicates: 1 });
    expect(run.json().manifest.policy.name).toBe('my package');
    expect((await app.inject({ method: 'DELETE', url: '/api/policies/my-package' })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/policies/my-package' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/policies/demand-package' })).json().shipped).toBe(true);
  });

  it('refuses bad names, bad documents, shipped names and stale revisions', async () => {
    const badName = await app.inject({ method: 'PUT', url: '/api/policies/..%2Fetc', payload: { policy } });
    expect(badName.statusCode).toBe(400);
    expect(badName.json().issues[0].path).toBe('name');
    const badDoc = await app.inject({
      method: 'PUT',
      url: '/api/policies/p1',
      payload: { policy: { name: 'p1', levers: [{ lever: 'nope', intensity: 1 }] } },
    });
    expect(badDoc.statusCode).toBe(400);
    expect(badDoc.json().issues[0].path).toBe('policy.levers[0].lever');
    const shipped = await app.inject({ method: 'PUT', url: '/api/policies/none', payload: { policy } });
    expect(shipped.statusCode).toBe(409);
    await app.inject({ method: 'PUT', url: '/api/policies/p2', payload: { policy } });
    const stale = await app.inject({
      method: 'PUT',
      url: '/api/policies/p2',
      payload: { policy, expectedRevision: 0 },
    });
    expect(stale.statusCode).toBe(409);
    const fresh = await app.inject({
      method: 'PUT',
      url: '/api/policies/p2',
      payload: { policy, expectedRevision: 1 },
    });
    expect(fresh.json().revision).toBe(2);
  });

  it('saves survive a restart; concurrent writers from two connections are serialised', async () => {
    const data = join(dir, 'shared');
    const a = new PolicyStore(data);
    const b = new PolicyStore(data);
    for (let i = 0; i < 50; i++) {
      a.put('x', { name: `a${i}`, levers: [] });
      b.put('x', { name: `b${i}`, levers: [] });
    }
    expect(a.get('x')?.revision).toBe(100);
    a.close();
    b.close();
    const c = new PolicyStore(data);
    expect(c.get('x')?.policy.name).toBe('b49');
    c.close();
  });

  it('a writer killed mid-stream leaves a sound database with every committed save', async () => {
    const data = join(dir, 'killed');
    new PolicyStore(data).close();
    const script = `
      const { PolicyStore } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'src', 'server', 'store.js'))});
      const s = new PolicyStore(${JSON.stringify(data)});
      for (let i = 1; ; i++) { s.put('p' + (i % 20), { name: 'n' + i, levers: [] }); if (i === 200) console.log('ready'); }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((res) => child.stdout.on('data', () => res()));
    child.kill('SIGKILL');
    await new Promise((res) => child.on('exit', res));
    const db = new Database(join(data, 'crossroads.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const s = new PolicyStore(data);
    const all = s.list();
    expect(all.length).toBe(20);
    const total = all.reduce((acc, p) => acc + p.revision, 0);
    // Every committed save counts once: revisions add up to the last save's number (no holes).
    const last = Math.max(...all.map((p) => Number(p.policy.name.slice(1))));
    expect(total).toBe(last);
    s.close();
  }, 30_000);
});

describe('schemas, OpenAPI, assets', () => {
  it('serves the schemas and an OpenAPI document listing every endpoint', async () => {
    const schema = (await app.inject({ url: '/api/schema' })).json();
    expect(Object.keys(schema)).toEqual(['scenario', 'policy']);
    const out = (await app.inject({ url: '/api/schema/output' })).json();
    expect(out.anyOf ?? out.oneOf ?? out.properties).toBeDefined();
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/runs',
        '/api/compare',
        '/api/ensembles',
        '/api/ensembles/{id}',
        '/api/policies/{name}',
      ]),
    );
    expect(
      doc.paths['/api/runs'].post.requestBody.content['application/json'].schema.properties.replicates
        .maximum,
    ).toBe(LIMITS.syncReplicates);
  });

  it('serves the dashboard from its root only', async () => {
    expect((await app.inject({ url: '/' })).body).toContain('<title>x</title>');
    expect((await app.inject({ url: '/../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/%2e%2e/%2e%2e/etc/passwd' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/nothing' })).statusCode).toBe(404);
  });

  it('the default data directory follows XDG', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x/y' })).toBe('/x/y/crossroads');
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative' })).toMatch(/\.local\/share\/crossroads$/);
  });
});
