/** The conflict module (issue 14): sanctions, fragmentation and violence, retaliation, economic cost. */

export { CONFLICT_CHANNELS, conflictChannelHandler } from './channels.js';
export {
  CONFLICT_REGIONS,
  type ConflictOptions,
  type ConflictState,
  createConflictModule,
  poissonAt,
} from './module.js';
export { CONFLICT_OUTCOMES } from './outcomes.js';
