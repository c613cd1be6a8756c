#!/usr/bin/python3
"""Independent oracle for test/graph-flow.test.ts, using networkx (Debian package python3-networkx).

Input (JSON, from the file named by argv[1] or from stdin):
  {"graphs": [{"edges": [[from, to, capacity, cost], ...], "sources": [...], "sinks": [...],
               "amount": int or null, "minCost": bool}]}
Edges must not repeat a (from, to) pair (networkx DiGraph) and must not be self loops.
Several sources/sinks are joined to a super-source/super-sink by uncapacitated zero-cost edges.

Output (JSON on stdout):
  {"networkx": version, "results": [{"maxFlow": v, "minCut": v,
     "minCostMaxFlow": {"value": v, "cost": c} or null, "minCostAmount": c or null}]}
"""

import json
import sys

import networkx as nx

SUPER_SOURCE = "\x00super-source"
SUPER_SINK = "\x00super-sink"


def build(graph):
    g = nx.DiGraph()
    for frm, to, capacity, cost in graph["edges"]:
        if g.has_edge(frm, to):
            raise ValueError(f"repeated edge {frm}->{to}")
        g.add_edge(frm, to, capacity=capacity, weight=cost)
    sources, sinks = graph["sources"], graph["sinks"]
    if len(sources) == 1 and len(sinks) == 1:
        return g, sources[0], sinks[0]
    for s in sources:
        g.add_edge(SUPER_SOURCE, s, weight=0)  # no capacity attribute = unbounded
    for t in sinks:
        g.add_edge(t, SUPER_SINK, weight=0)
    return g, SUPER_SOURCE, SUPER_SINK


def solve(graph):
    g, s, t = build(graph)
    out = {
        "maxFlow": nx.maximum_flow_value(g, s, t),
        "minCut": nx.minimum_cut(g, s, t)[0],
        "minCostMaxFlow": None,
        "minCostAmount": None,
    }
    if graph.get("minCost"):
        flow = nx.max_flow_min_cost(g, s, t)
        value = sum(flow[s].values()) - sum(flow[u][s] for u in g.predecessors(s))
        out["minCostMaxFlow"] = {"value": value, "cost": nx.cost_of_flow(g, flow)}
        amount = graph.get("amount")
        if amount is not None:
            h = g.copy()
            h.nodes[s]["demand"] = -amount
            h.nodes[t]["demand"] = amount
            out["minCostAmount"] = nx.min_cost_flow_cost(h)
    return out


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            data = json.load(f)
    else:
        data = json.load(sys.stdin)
    results = [solve(graph) for graph in data["graphs"]]
    json.dump({"networkx": nx.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
