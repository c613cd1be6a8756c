/**
 * Saved policies in an embedded SQLite database (better-sqlite3) inside the data directory. The
 * database runs in WAL mode with `synchronous = FULL`: a save is one transaction, committed before the
 * response is sent, so a server killed mid-write loses at most the request in flight, and two tabs
 * saving at once are serialised by SQLite (each save sees the other's committed state, never half of it).
 */

import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Policy } from '../spec/scenario.js';

/** The default data directory: `$XDG_DATA_HOME/crossroads`, else `~/.local/share/crossroads`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'crossroads');
  return join(homedir(), '.local', 'share', 'crossroads');
}

/** A saved policy. */
export interface StoredPolicy {
  name: string;
  policy: Policy;
  /** Increases by one at every save of this name. */
  revision: number;
  created: string;
  updated: string;
}

interface Row {
  name: string;
  document: string;
  revision: number;
  created: string;
  updated: string;
}

const fromRow = (r: Row): StoredPolicy => ({
  name: r.name,
  policy: JSON.parse(r.document) as Policy,
  revision: r.revision,
  created: r.created,
  updated: r.updated,
});

/** The store: one SQLite file, `crossroads.db`, in the data directory. */
export class PolicyStore {
  readonly file: string;
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, 'crossroads.db');
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS policies (
      name TEXT PRIMARY KEY,
      document TEXT NOT NULL,
      revision INTEGER NOT NULL,
      created TEXT NOT NULL,
      updated TEXT NOT NULL
    ) STRICT`);
  }

  list(): StoredPolicy[] {
    return (this.db.prepare('SELECT * FROM policies ORDER BY name').all() as Row[]).map(fromRow);
  }

  get(name: string): StoredPolicy | undefined {
    const r = this.db.prepare('SELECT * FROM policies WHERE name = ?').get(name) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /**
   * Create or replace, in one transaction. With `expectedRevision` the save happens only if the stored
   * revision is that one (0: the name must be new); otherwise it returns 'conflict' and changes nothing.
   */
  put(name: string, policy: Policy, expectedRevision?: number): StoredPolicy | 'conflict' {
    const now = new Date().toISOString();
    const tx = this.db.transaction((): StoredPolicy | 'conflict' => {
      const old = this.db.prepare('SELECT revision, created FROM policies WHERE name = ?').get(name) as
        | { revision: number; created: string }
        | undefined;
      if (expectedRevision !== undefined && (old?.revision ?? 0) !== expectedRevision) return 'conflict';
      const revision = (old?.revision ?? 0) + 1;
      const created = old?.created ?? now;
      this.db
        .prepare(
          `INSERT INTO policies (name, document, revision, created, updated) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET document = excluded.document, revision = excluded.revision,
           updated = excluded.updated`,
        )
        .run(name, JSON.stringify(policy), revision, created, now);
      return { name, policy, revision, created, updated: now };
    });
    return tx.immediate();
  }

  /** Delete; true if it existed. */
  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM policies WHERE name = ?').run(name).changes > 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
