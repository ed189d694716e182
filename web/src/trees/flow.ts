// A definition as React Flow's nodes and edges: pure, so that what the picture shows (and what
// a screen reader hears of it) is tested without a browser.
import type { Edge, Node } from "@xyflow/react";
import { danglingReferences, type Definition, type NodeType, type TreeNode } from "./model";
import type { Placed } from "./problems";

export const KIND_LABEL: Record<NodeType, string> = { question: "Question", action: "Action", solution: "Solution", escalation: "Escalation" };

export interface NodeStat {
  visits: number;
  medianSeconds: number;
}

export interface FlowData extends Record<string, unknown> {
  node: TreeNode;
  root: boolean;
  stat?: NodeStat;
  /** How much of the busiest node's traffic this node sees, 0 to 1, for the heat tint. */
  heat?: number;
  /** Sessions that stopped here (abandoned or unfinished). */
  exits?: number;
  issues: string[];
  /** Indexes of options (or -1 for an action's next) that point nowhere. */
  dangling: number[];
}

export type FlowNode = Node<FlowData, "tree">;

export interface Overlay {
  stats?: Map<string, NodeStat>;
  exits?: Map<string, number>;
  placed?: Placed;
}

export function toFlow(def: Definition, overlay: Overlay = {}): { nodes: FlowNode[]; edges: Edge[] } {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const dangling = new Map<string, number[]>();
  for (const d of danglingReferences(def)) dangling.set(d.node, [...(dangling.get(d.node) ?? []), d.option ?? -1]);
  const busiest = Math.max(1, ...[...(overlay.stats?.values() ?? [])].map((s) => s.visits));

  const nodes: FlowNode[] = def.nodes.map((n) => {
    const stat = overlay.stats?.get(n.id);
    const exits = overlay.exits?.get(n.id);
    const issues = (overlay.placed?.byNode.get(n.id) ?? []).map((i) => i.detail);
    const parts = [`${KIND_LABEL[n.type]}${n.id === def.root ? " (start)" : ""}: ${n.text || "no text yet"}`];
    if (stat) parts.push(`${stat.visits} visits, median ${Math.round(stat.medianSeconds)} seconds`);
    if (exits) parts.push(`${exits} sessions stopped here`);
    if (issues.length) parts.push(`${issues.length} ${issues.length === 1 ? "problem" : "problems"}`);
    return {
      id: n.id,
      type: "tree",
      position: { x: 0, y: 0 },
      ariaLabel: parts.join(". "),
      data: {
        node: n,
        root: n.id === def.root,
        issues,
        dangling: dangling.get(n.id) ?? [],
        ...(stat && { stat, heat: stat.visits / busiest }),
        ...(exits && { exits }),
      },
    };
  });

  const edges: Edge[] = [];
  const link = (from: TreeNode, to: string, key: string, label?: string) => {
    const target = byId.get(to);
    if (!target) return;
    edges.push({
      id: `${from.id}->${key}`,
      source: from.id,
      target: to,
      ...(label !== undefined && { label: label || "(no label yet)" }),
      ariaLabel: `${label ? `“${label}” leads` : "Leads"} from “${short(from.text || from.id)}” to “${short(target.text || target.id)}”`,
    });
  };
  for (const n of def.nodes) {
    if (n.type === "question") (n.options ?? []).forEach((o) => link(n, o.next, o.id, o.label));
    if (n.type === "action" && n.next) link(n, n.next, "next");
  }
  return { nodes, edges };
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
