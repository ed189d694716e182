import {
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesInitialized,
  useNodesState,
  type ReactFlowState,
  useReactFlow,
  useStore,
  useStoreApi,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { AlertTriangle, Flag, LogOut } from "lucide-react";
import { memo, useEffect, useMemo, useRef } from "react";
import { type FlowData, type FlowNode, KIND_LABEL, type Overlay, toFlow } from "./flow";
import { layout, openingViewport } from "./layout";
import type { Definition } from "./model";

interface Props extends Overlay {
  definition: Definition;
  /** What the picture is, for screen readers: "Printer offline, version 3". */
  label: string;
  selected?: string | null;
  onSelect?(id: string | null): void;
  /** Lets the author drag nodes; where they end up is a view only and is never saved. */
  draggable?: boolean;
}

/**
 * A tree as a picture: React Flow with a layered dagre layout on the nodes' measured sizes.
 * Node kinds differ in shape and colour, each option's label is on its edge, and every node
 * and edge is reached with Tab and has an accessible name.
 */
export function TreeGraph(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

// Outside any component: React Flow re-renders every node when nodeTypes changes identity.
const nodeTypes = { tree: memo(TreeNodeView) };
const defaultEdgeOptions = { type: "smoothstep", markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 } } as const;
const fitOptions = { padding: 0.12, maxZoom: 1.1 };

function Canvas({ definition, label, selected, onSelect, draggable = false, stats, exits, placed }: Props) {
  const built = useMemo(() => toFlow(definition, { stats, exits, placed }), [definition, stats, exits, placed]);
  const [nodes, setNodes, onNodesChange] = useNodesState<FlowNode>([]);
  const [edges, setEdges] = useEdgesState<Edge>([]);
  const { getNodes, setViewport } = useReactFlow<FlowNode>();
  const store = useStoreApi<FlowNode>();
  const initialized = useNodesInitialized();

  // Keep what React Flow measured and where nodes stand; swap in new data only where it changed,
  // so that editing one node re-renders that node, not the whole graph.
  useEffect(() => {
    setNodes((previous) => {
      const old = new Map(previous.map((n) => [n.id, n]));
      return built.nodes.map((n) => {
        const o = old.get(n.id);
        const data = o && JSON.stringify(o.data) === JSON.stringify(n.data) ? o.data : n.data;
        const isSelected = n.id === selected;
        if (o && o.data === data && o.ariaLabel === n.ariaLabel && !!o.selected === isSelected) return o;
        return o ? { ...o, data, ariaLabel: n.ariaLabel, selected: isSelected } : { ...n, selected: isSelected, className: "unplaced" };
      });
    });
    setEdges((previous) => {
      const old = new Map(previous.map((e) => [e.id, e]));
      return built.edges.map((e) => {
        const o = old.get(e.id);
        return o && o.source === e.source && o.target === e.target && o.label === e.label && o.ariaLabel === e.ariaLabel && o.className === e.className ? o : e;
      });
    });
  }, [built, selected, setNodes, setEdges]);

  // Lay out again when the graph's shape changes or a node's measured size does (an overlay's
  // badges, an edited text), once every node has been measured; but never undo an author's drag
  // for a size change. The viewport is set only for the first layout, so editing never jumps.
  const shape = useMemo(() => JSON.stringify([definition.root, built.nodes.map((n) => n.id), built.edges.map((e) => [e.source, e.target])]), [definition.root, built]);
  const sizes = useStore(measuredSizes);
  const laidOut = useRef({ shape: "", sizes: "" });
  const dragged = useRef(false);
  useEffect(() => {
    const last = laidOut.current;
    if (!initialized || (last.shape === shape && (last.sizes === sizes || dragged.current))) return;
    const measured = getNodes();
    if (measured.length !== built.nodes.length) return;
    const boxes = measured.map((n) => ({ id: n.id, width: n.measured?.width ?? 260, height: n.measured?.height ?? 90 }));
    const at = layout(
      boxes,
      built.edges.map((e) => ({ source: e.source, target: e.target, label: typeof e.label === "string" ? e.label : undefined })),
    );
    laidOut.current = { shape, sizes };
    dragged.current = false;
    setNodes((ns) => ns.map((n) => ({ ...n, position: at.get(n.id) ?? n.position, className: undefined })));
    if (last.shape !== "") return;
    // Open on the start of the tree at a readable size; the rest is a pan or "fit" away.
    const placed = new Map(boxes.map((b) => [b.id, { ...b, ...at.get(b.id)! }]));
    const start = nearRoot(definition.root, built.edges, 3).flatMap((id) => placed.get(id) ?? []);
    const root = placed.get(definition.root);
    const { width, height } = store.getState();
    if (root && width > 0 && height > 0) void setViewport(openingViewport(start, root, { width, height }));
  }, [initialized, shape, sizes, built, definition.root, getNodes, setNodes, setViewport, store]);

  return (
    <div className="graph" role="region" aria-label={label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onNodeClick={(_, n) => onSelect?.(n.id)}
        onNodeDragStop={() => (dragged.current = true)}
        onPaneClick={() => onSelect?.(null)}
        onNodesDelete={() => undefined}
        deleteKeyCode={null}
        nodesDraggable={draggable}
        nodesConnectable={false}
        edgesFocusable
        nodesFocusable
        minZoom={0.15}
        maxZoom={2}
        fitView
        fitViewOptions={fitOptions}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={{
          "node.a11yDescription.default": "Press Enter to open this step.",
          "node.a11yDescription.keyboardDisabled": "Press Enter to open this step.",
          "edge.a11yDescription.default": "An answer leading from one step to the next.",
        }}
        onKeyDown={(e) => {
          const id = (e.target as HTMLElement).closest<HTMLElement>(".react-flow__node")?.dataset.id;
          if (id && (e.key === "Enter" || e.key === " ")) onSelect?.(id);
          if (e.key === "Escape") onSelect?.(null);
        }}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function TreeNodeView({ data, selected }: NodeProps<FlowNode>) {
  const { node, root, stat, heat, exits, issues, dangling } = data as FlowData;
  return (
    <div className={`tnode tnode-${node.type}${selected ? " is-selected" : ""}${issues.length ? " has-issues" : ""}`} style={heat !== undefined ? { ["--heat" as string]: heat.toFixed(2) } : undefined}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="tnode-head">
        <span className="tnode-kind">{KIND_LABEL[node.type]}</span>
        {root && (
          <span className="tnode-root">
            <Flag size={11} aria-hidden /> Start
          </span>
        )}
        <span className="tnode-id">{node.id}</span>
      </div>
      <p className="tnode-text">{node.text || <em>No text yet</em>}</p>
      {(stat || exits) && (
        <p className="tnode-stats">
          {stat && (
            <span>
              {stat.visits} visits · {formatSeconds(stat.medianSeconds)}
            </span>
          )}
          {exits ? (
            <span className="tnode-exits">
              <LogOut size={11} aria-hidden /> {exits} stopped
            </span>
          ) : null}
        </p>
      )}
      {(issues.length > 0 || dangling.length > 0) && (
        <p className="tnode-issues">
          <AlertTriangle size={12} aria-hidden />
          {dangling.length > 0 ? `${dangling.length} ${dangling.length === 1 ? "answer leads" : "answers lead"} nowhere` : `${issues.length} ${issues.length === 1 ? "problem" : "problems"}`}
        </p>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

/** Every node's measured size as one string: a selector whose result only changes with a size. */
function measuredSizes(s: ReactFlowState): string {
  let key = "";
  for (const n of s.nodeLookup.values()) key += `${n.id}:${n.measured.width}x${n.measured.height};`;
  return key;
}

/** The root and the nodes within depth steps of it. */
function nearRoot(root: string, edges: Edge[], depth: number): string[] {
  const seen = new Set([root]);
  let frontier = [root];
  for (let d = 0; d < depth; d++) {
    frontier = edges.filter((e) => frontier.includes(e.source) && !seen.has(e.target)).map((e) => e.target);
    for (const id of frontier) seen.add(id);
  }
  return [...seen];
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s median`;
  return `${Math.round(s / 60)} min median`;
}
