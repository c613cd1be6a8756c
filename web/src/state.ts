/**
 * The dashboard's whole state (the policy document, the seed, the two large graphs) and its
 * shareable form: base64url of its JSON in the URL's fragment, so a shared link works without the
 * server's store (and the fragment never reaches a server log).
 */

import { type Policy, resolvePolicy, type Scenario } from '../../src/index.js';

export interface DashState {
  policy: Policy;
  seed: number;
  graphs: [string, string];
}

export const DEFAULT_GRAPHS: [string, string] = ['view:deaths', 'view:flow'];

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The URL fragment of a state. */
export function encodeState(s: DashState): string {
  return `#s=${toBase64Url(JSON.stringify({ v: 1, policy: s.policy, seed: s.seed, graphs: s.graphs }))}`;
}

/**
 * The state in a URL fragment, checked by the model's own policy resolver; null when there is none.
 * Throws an Error naming the problem when the fragment is damaged or the policy invalid.
 */
export function decodeState(hash: string, scenario: Scenario): DashState | null {
  const m = /^#s=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return null;
  let data: { v?: number; policy?: unknown; seed?: unknown; graphs?: unknown };
  try {
    data = JSON.parse(fromBase64Url(m[1]));
  } catch {
    throw new Error('the shared link is damaged (its state could not be read)');
  }
  const policy = resolvePolicy(data.policy, scenario);
  const seed =
    typeof data.seed === 'number' && Number.isSafeInteger(data.seed) && data.seed >= 0 ? data.seed : 1;
  const graphs =
    Array.isArray(data.graphs) && data.graphs.length === 2 && data.graphs.every((g) => typeof g === 'string')
      ? (data.graphs as [string, string])
      : DEFAULT_GRAPHS;
  return { policy, seed, graphs };
}
