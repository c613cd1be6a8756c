/**
 * Where strikes fall (data/network/strike-settings.json, a labelled judgement): the share of strikes
 * on each kind of node, and on vessels at sea, in each setting (at sea, remote, populated), recorded
 * monthly in `EventRecords.strikesBySetting` for the risk module.
 */

import { z } from 'zod';
import settingsFile from '../../../data/network/strike-settings.json' with { type: 'json' };
import { fail } from '../../core/errors.js';
import { NODE_KINDS } from '../../spec/supply.js';

/** The settings a strike can fall in, in record order. */
export const STRIKE_SETTINGS = ['at-sea', 'remote', 'populated'] as const;
export type StrikeSetting = (typeof STRIKE_SETTINGS)[number];

const Row = z
  .object({
    'at-sea': z.number().min(0).max(1),
    remote: z.number().min(0).max(1),
    populated: z.number().min(0).max(1),
    source: z.string().min(1),
  })
  .strict()
  .refine((r) => Math.abs(r['at-sea'] + r.remote + r.populated - 1) < 1e-9, {
    message: 'shares summing to 1',
  });

const SettingsFileSchema = z
  .object({
    $comment: z.string().optional(),
    settings: z.tuple([z.literal('at-sea'), z.literal('remote'), z.literal('populated')]),
    atSea: Row,
    byNodeKind: z.partialRecord(z.enum(NODE_KINDS), Row),
  })
  .strict();

const parsed = SettingsFileSchema.safeParse(settingsFile);
if (!parsed.success)
  fail(
    'model/supply/strike-settings',
    `data/network/strike-settings.json.${parsed.error.issues[0].path.join('.')}`,
    settingsFile,
    parsed.error.issues[0].message,
  );
const FILE = parsed.data!;

function shares(row: z.infer<typeof Row>): readonly number[] {
  return STRIKE_SETTINGS.map((s) => row[s]);
}

/** Shares of strikes at sea by setting. */
export const AT_SEA_SHARES: readonly number[] = shares(FILE.atSea);

/** Whether the file gives the settings of strikes on nodes of this kind. */
export function hasSettings(kind: string): boolean {
  return kind in FILE.byNodeKind;
}

/** Shares of strikes on nodes of `kind` by setting (STRIKE_SETTINGS order). */
export function settingShares(kind: string): readonly number[] {
  const row = FILE.byNodeKind[kind as keyof typeof FILE.byNodeKind];
  if (!row)
    fail(
      'model/supply/strike-settings',
      'data/network/strike-settings.json.byNodeKind',
      kind,
      `a row for node kind ${kind} (strikes act on it)`,
    );
  return shares(row!);
}
