import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { captureStdio } from './helpers/stdio.js';

const io = captureStdio();

describe('crossroads network', () => {
  it('prints flows by route and the minimum cut', async () => {
    expect(await main(['network'])).toBe(0);
    expect(io.out).toMatch(/cocaine, 2025: reaching the US/);
    expect(io.out).toMatch(/Minimum cut between production and us-market: [\d,]+ kg a year/);
  });
  it('JSON includes the graph with capacities; assumptions switch by name', async () => {
    expect(await main(['network', '--format', 'json', '--assumptions', 'venezuela-fentanyl'])).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.assumptions).toEqual(['venezuela-fentanyl']);
    const fen = doc.commodities.find((c: { commodity: string }) => c.commodity === 'fentanyl');
    expect(fen.graph.edges[0].capacityKgPerYear).toBeGreaterThan(0);
    expect(fen.graph.nodes.some((n: { id: string }) => n.id === 've-fentanyl-production')).toBe(true);
    expect(fen.minCut.capacityKgPerYear).toBeGreaterThan(0);
  });
  it('works on an edited network and rejects an unknown edge id with exit code 2', async () => {
    const dir = tmpdir();
    const ok = join(dir, `crossroads-net-ok-${process.pid}.json`);
    writeFileSync(
      ok,
      JSON.stringify({
        name: 'edited',
        network: { cocaine: { edges: { 'mexico-us-ports': { capacityKgPerYear: 100000 } } } },
      }),
    );
    expect(await main(['network', ok, '--format', 'json'])).toBe(0);
    const coc = JSON.parse(io.out).commodities.find((c: { commodity: string }) => c.commodity === 'cocaine');
    // The cut crosses the US border: ports (edited to 100 t) + between ports (1,000 t) + the
    // Caribbean islands' maritime arrival (200 t).
    expect(coc.minCut.capacityKgPerYear).toBe(1300000);
    const bad = join(dir, `crossroads-net-bad-${process.pid}.json`);
    writeFileSync(
      bad,
      JSON.stringify({ name: 'bad', network: { cocaine: { edges: { bogus: { detection: 0.2 } } } } }),
    );
    expect(await main(['network', bad])).toBe(2);
    expect(io.err).toMatch(/network\.cocaine\.edges\.bogus: got "bogus", expected the id of an edge/);
    expect(await main(['network', '--assumptions', 'nope'])).toBe(2);
  });
});
