// The server's problems with a definition (422 errors, or a draft's problems), put where the
// author will look: on the node each names, on the field its pointer names, and the rest on
// the tree.
import type { components } from "../../../gen/ts/schema";
import type { Definition } from "./model";

type ProblemError = components["schemas"]["ProblemError"];

export interface Issue {
  detail: string;
  /** The field of the node: "text", "type", "next", "options", "options.1.label", or "" for the node as a whole. */
  field: string;
}

export interface Placed {
  byNode: Map<string, Issue[]>;
  /** Problems of the tree itself: its title or category, its root, or a node it no longer has. */
  tree: { detail: string; field: string }[];
}

const NODE_POINTER = /^\/definition\/nodes\/(\d+)(?:\/(.*))?$/;

export function placeProblems(problems: ProblemError[] | undefined, def: Definition): Placed {
  const placed: Placed = { byNode: new Map(), tree: [] };
  const ids = new Set(def.nodes.map((n) => n.id));
  for (const p of problems ?? []) {
    const match = NODE_POINTER.exec(p.pointer ?? "");
    const id = p.node_id && ids.has(p.node_id) ? p.node_id : match ? def.nodes[Number(match[1])]?.id : undefined;
    if (id && (match || p.node_id)) {
      const field = match?.[2]?.replaceAll("/", ".") ?? "";
      placed.byNode.set(id, [...(placed.byNode.get(id) ?? []), { detail: p.detail, field }]);
    } else {
      placed.tree.push({ detail: p.detail, field: (p.pointer ?? "").replace(/^\//, "") });
    }
  }
  return placed;
}

/** The message for one field of a node, if the server had one. */
export function fieldIssue(placed: Placed, node: string, field: string): string | undefined {
  return placed.byNode.get(node)?.find((i) => i.field === field)?.detail;
}
