/**
 * The few web-standard globals the pure parts of `src/` use, which both Node (>= 18) and browsers
 * provide. `tsconfig.pure.json` type-checks those parts with these and no Node or DOM types, so a
 * Node-only API there is a compile error.
 */

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

declare function structuredClone<T>(value: T): T;

declare const console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
