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

export interface Placed {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where the picture opens: the start of the tree fitted at a readable zoom. When it does not fit
 * even at minZoom, the view keeps the root at the top and centred rather than showing the middle
 * of the box, so that a reader always starts where a session starts.
 */
export function openingViewport(start: Placed[], root: Placed, view: { width: number; height: number }, { minZoom = 0.6, maxZoom = 1.1, pad = 24 } = {}) {
  const left = Math.min(...start.map((b) => b.x));
  const top = Math.min(...start.map((b) => b.y));
  const width = Math.max(...start.map((b) => b.x + b.width)) - left;
  const height = Math.max(...start.map((b) => b.y + b.height)) - top;
  const fits = Math.min((view.width - 2 * pad) / width, (view.height - 2 * pad) / height);
  const zoom = Math.min(maxZoom, Math.max(minZoom, fits));
  const x = width * zoom <= view.width - 2 * pad ? view.width / 2 - (left + width / 2) * zoom : view.width / 2 - (root.x + root.width / 2) * zoom;
  const y = height * zoom <= view.height - 2 * pad ? view.height / 2 - (top + height / 2) * zoom : pad - root.y * zoom;
  return { x, y, zoom };
}
