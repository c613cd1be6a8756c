/**
 * Copy a run's mutable state into another run of the same shape, in place. Used to fork a run: two
 * runs that are identical up to some month (same scenario, parameters, seed and replicate; policies
 * that differ only later) share that prefix, which is computed once and copied.
 *
 * The walk is structural: typed arrays are copied element for element (lengths must match), plain
 * objects and arrays are walked key by key, numbers, booleans, strings and null are assigned, Maps
 * of typed arrays get missing rows cloned, functions are left alone. Keys in `skip` are not walked
 * (configuration that may legitimately differ between the runs, such as a policy's lever effects).
 * A difference of shape is a programming error and throws.
 */

const MODULE = 'core/copy-state';

function shapeError(path: string, what: string): never {
  throw new Error(`${MODULE}: ${path}: ${what}`);
}

/** Copy `src` into `dst` (both objects of the same shape); `path` names the root in errors. */
export function copyState(
  dst: object,
  src: object,
  skip: ReadonlySet<string> = new Set(),
  path = 'state',
): void {
  walk(dst, src, skip, path);
}

function walk(dst: unknown, src: unknown, skip: ReadonlySet<string>, path: string): void {
  if (dst === src) return;
  if (ArrayBuffer.isView(src)) {
    if (!ArrayBuffer.isView(dst) || dst.constructor !== src.constructor)
      shapeError(path, 'not a typed array');
    const d = dst as unknown as Float64Array;
    const s = src as unknown as Float64Array;
    if (d.length !== s.length) shapeError(path, `length ${d.length} vs ${s.length}`);
    d.set(s);
    return;
  }
  if (src instanceof Map) {
    if (!(dst instanceof Map)) shapeError(path, 'not a Map');
    for (const [k, v] of src) {
      const here = `${path}.get(${String(k)})`;
      if (v === null || typeof v !== 'object') dst.set(k, v);
      else if (dst.has(k)) walk(dst.get(k), v, skip, here);
      else if (ArrayBuffer.isView(v)) dst.set(k, (v as unknown as Float64Array).slice());
      else shapeError(here, 'missing entry of a non-array type');
    }
    return;
  }
  if (src instanceof Set) {
    if (!(dst instanceof Set)) shapeError(path, 'not a Set');
    dst.clear();
    for (const v of src) dst.add(v);
    return;
  }
  if (Array.isArray(src)) {
    if (!Array.isArray(dst) || dst.length !== src.length) shapeError(path, 'array of another length');
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (v !== null && typeof v === 'object') walk(dst[i], v, skip, `${path}[${i}]`);
      else if (typeof v !== 'function') dst[i] = v;
    }
    return;
  }
  if (src === null || typeof src !== 'object') shapeError(path, 'not an object');
  if (dst === null || typeof dst !== 'object') shapeError(path, 'not an object in the target');
  const d = dst as Record<string, unknown>;
  const s = src as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (skip.has(key)) continue;
    const v = s[key];
    if (typeof v === 'function') continue;
    if (v !== null && typeof v === 'object') {
      if (!(key in d)) shapeError(`${path}.${key}`, 'missing in the target');
      walk(d[key], v, skip, `${path}.${key}`);
    } else d[key] = v;
  }
}

/** A deep copy of plain data (objects, arrays, primitives), much cheaper than structuredClone. */
export function clonePlain<T>(x: T): T {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(clonePlain) as T;
  if (ArrayBuffer.isView(x)) return (x as unknown as Float64Array).slice() as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(x)) out[key] = clonePlain((x as Record<string, unknown>)[key]);
  return out as T;
}
