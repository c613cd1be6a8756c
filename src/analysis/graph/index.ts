/** Network-analysis algorithms for `crossroads network`: max-flow / min-cut and min-cost flow. */

export { buildFlowNetwork, type FlowEdge, type FlowNetwork, inputEdgeFlows } from './flow-network.js';
export {
  DEFAULTS as MAX_FLOW_DEFAULTS,
  type MaxFlowOptions,
  type MaxFlowResult,
  type MinCut,
  maxFlow,
  maxFlowMulti,
} from './max-flow.js';
export {
  DEFAULTS as MIN_COST_FLOW_DEFAULTS,
  type MinCostFlowOptions,
  type MinCostFlowResult,
  minCostFlow,
  minCostFlowMulti,
} from './min-cost-flow.js';
