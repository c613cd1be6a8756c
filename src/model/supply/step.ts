/**
 * The monthly supply step of one commodity: the stages in order. Each stage is a function of the
 * step context, the commodity's per-run state and the month, in its own file:
 *
 *   (a) enforcement on legs from the levers ........................ interdiction.ts
 *   (b) strikes on production capacity .............................. interdiction.ts
 *   (b') strikes on trafficking infrastructure (leg capacity) ....... interdiction.ts
 *   (c-e) production, lab capacity (rebuilt and built with capital) .. production.ts
 *   (f) route choice (revised every `routeReviewMonths`) ............ routing.ts
 *   (g) shipments by (holding, route) and planned leg loads ......... routing.ts
 *   (h) leg capacities; congestion learnt ........................... shipments.ts, learning.ts
 *   (i) seizure shares (shared noise by enforcement group), strikes at sea .. interdiction.ts
 *   (j) shipments moved leg by leg, delivered, paid ................. shipments.ts
 *   (j') replacement of lost product ................................ learning.ts
 *   (k) perceived risk learnt from own losses ....................... learning.ts
 *   (m) markets: stocks, cost-based prices, scarcity, purity ........ markets.ts
 *   (n) records ..................................................... record-month.ts
 */

import { enforceOnLegs, interdict, strikeInfrastructure, strikeProduction } from './interdiction.js';
import { adaptReplacement, learnCongestion, learnRisk } from './learning.js';
import { clearMarkets } from './markets.js';
import { produce } from './production.js';
import { recordMonth } from './record-month.js';
import { reviewRoutes, ship } from './routing.js';
import { clipToCapacity, moveShipments, settleShipments } from './shipments.js';
import { type CommodityRt, DEFAULTS, type StepContext } from './state.js';

/** Step one commodity through month `t`. */
export function stepCommodity(ctx: StepContext, rt: CommodityRt, t: number): void {
  enforceOnLegs(rt, t);
  strikeProduction(ctx, rt, t);
  strikeInfrastructure(ctx, rt, t);
  produce(ctx, rt, t);
  if (t % DEFAULTS.routeReviewMonths === 0) reviewRoutes(ctx, rt);
  ship(ctx, rt, t);
  const clipped = clipToCapacity(rt);
  learnCongestion(ctx, rt, t, clipped);
  interdict(ctx, rt, t);
  moveShipments(ctx, rt, t);
  const allShipped = settleShipments(ctx, rt, t);
  adaptReplacement(ctx, rt, t);
  learnRisk(ctx, rt, allShipped);
  const stocks = clearMarkets(ctx, rt, t);
  recordMonth(rt, t, stocks);
}
