// A layered layout of a tree's graph (dagre, as React Flow's layout guide recommends for trees),
// computed on the nodes' measured sizes, so that long texts never overlap.
import dagre from "@dagrejs/dagre";

export interface Box {
  id: string;
  width: number;
  height: number;
}

export interface Link {
  source: string;
  target: string;
  label?: string;
}

/** Top-left positions by node id, the root's layer first. */
export function layout(boxes: Box[], links: Link[]): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 48, ranksep: 72, edgesep: 24, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of boxes) g.setNode(b.id, { width: b.width, height: b.height });
  links.forEach((l, i) => {
    if (!g.hasNode(l.source) || !g.hasNode(l.target)) return;
    // Room for the option's label on its edge: about 7 px a character, on one line.
    const label = l.label ? { width: Math.min(220, 14 + l.label.length * 7), height: 22, labelpos: "c" } : {};
    g.setEdge(l.source, l.target, label, `e${i}`);
  });
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const b of boxes) {
    const n = g.node(b.id);
    out.set(b.id, { x: n.x - b.width / 2, y: n.y - b.height / 2 });
  }
  return out;
}
