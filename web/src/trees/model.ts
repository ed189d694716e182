// The tree editor's model: a draft (the tree's fields and its definition), the changes an author
// makes to it, and undo and redo. Pure: the editor's screen renders it and dispatches actions.
import type { components } from "../../../gen/ts/schema";

export type Definition = components["schemas"]["TreeDefinition"];
export type TreeNode = components["schemas"]["TreeNode"];
export type NodeType = components["schemas"]["NodeType"];
export type NodeOption = components["schemas"]["NodeOption"];

export interface Draft {
  title: string;
  description: string;
  category: string;
  tags: string[];
  definition: Definition;
}

export interface EditorState {
  draft: Draft;
  /** Earlier drafts, the most recent last; undo takes from here. */
  past: Draft[];
  /** Drafts undone, the most recently undone last; redo takes from here. */
  future: Draft[];
  /** What the last save (or load) stored: the draft is dirty when it differs. */
  saved: Draft;
  selected: string | null;
  /** Which field the last change edited, so that typing in it is one undo step, not one per key. */
  lastEdit: string | null;
}

export type Action =
  | { type: "load"; draft: Draft }
  | { type: "saved"; draft: Draft }
  | { type: "select"; id: string | null }
  | { type: "meta"; patch: Partial<Omit<Draft, "definition">> }
  | { type: "text"; id: string; field: "text" | "help"; value: string }
  | { type: "kind"; id: string; kind: NodeType }
  | { type: "addOption"; id: string }
  | { type: "option"; id: string; index: number; patch: Partial<Pick<NodeOption, "label" | "next">> }
  | { type: "removeOption"; id: string; index: number }
  | { type: "next"; id: string; next: string }
  | { type: "addNode"; kind: NodeType; from?: { id: string; index?: number } }
  | { type: "removeNode"; id: string }
  | { type: "root"; id: string }
  | { type: "undo" }
  | { type: "redo" };

/** How many steps undo remembers. */
const HISTORY = 200;

export const KINDS: NodeType[] = ["question", "action", "solution", "escalation"];

export function emptyDraft(): Draft {
  return {
    title: "",
    description: "",
    category: "",
    tags: [],
    definition: { root: "start", nodes: [{ id: "start", type: "question", text: "", options: [newOption([], 1), newOption([], 2)] }] },
  };
}

export function initialState(draft: Draft): EditorState {
  return { draft, past: [], future: [], saved: draft, selected: draft.definition.root, lastEdit: null };
}

export function isDirty(s: EditorState): boolean {
  return JSON.stringify(s.draft) !== JSON.stringify(s.saved);
}

export function reducer(s: EditorState, a: Action): EditorState {
  switch (a.type) {
    case "load":
      return initialState(a.draft);
    case "saved":
      return { ...s, saved: a.draft, lastEdit: null };
    case "select":
      return { ...s, selected: a.id, lastEdit: null };
    case "undo": {
      const previous = s.past.at(-1);
      if (!previous) return s;
      return { ...s, draft: previous, past: s.past.slice(0, -1), future: [...s.future, s.draft], selected: keep(s.selected, previous), lastEdit: null };
    }
    case "redo": {
      const next = s.future.at(-1);
      if (!next) return s;
      return { ...s, draft: next, past: [...s.past, s.draft], future: s.future.slice(0, -1), selected: keep(s.selected, next), lastEdit: null };
    }
    default: {
      const changed = apply(s.draft, a);
      if (!changed) return s;
      const edit = editKey(a);
      // Typing into one field again replaces the step it started instead of adding one.
      const past = edit !== null && edit === s.lastEdit ? s.past : [...s.past, s.draft].slice(-HISTORY);
      return { ...s, draft: changed.draft, past, future: [], selected: changed.selected ?? keep(s.selected, changed.draft), lastEdit: edit };
    }
  }
}

function editKey(a: Action): string | null {
  if (a.type === "meta") return `meta:${Object.keys(a.patch).join(",")}`;
  if (a.type === "text") return `text:${a.id}:${a.field}`;
  if (a.type === "option" && a.patch.label !== undefined) return `label:${a.id}:${a.index}`;
  return null;
}

function keep(selected: string | null, d: Draft): string | null {
  return selected && d.definition.nodes.some((n) => n.id === selected) ? selected : d.definition.root;
}

/** The draft after an action (and the node to select), or null when nothing changes. */
function apply(d: Draft, a: Action): { draft: Draft; selected?: string } | null {
  const def = d.definition;
  const withNodes = (nodes: TreeNode[], root = def.root): Draft => ({ ...d, definition: { root, nodes } });
  const update = (id: string, change: (n: TreeNode) => TreeNode) => withNodes(def.nodes.map((n) => (n.id === id ? change(n) : n)));
  switch (a.type) {
    case "meta":
      return { draft: { ...d, ...a.patch } };
    case "text":
      return { draft: update(a.id, (n) => ({ ...n, [a.field]: a.value })) };
    case "kind":
      return { draft: update(a.id, (n) => reshape(n, a.kind)) };
    case "addOption":
      return { draft: update(a.id, (n) => ({ ...n, options: [...(n.options ?? []), newOption(n.options ?? [], (n.options?.length ?? 0) + 1)] })) };
    case "option":
      return { draft: update(a.id, (n) => ({ ...n, options: (n.options ?? []).map((o, i) => (i === a.index ? { ...o, ...a.patch } : o)) })) };
    case "removeOption":
      return { draft: update(a.id, (n) => ({ ...n, options: (n.options ?? []).filter((_, i) => i !== a.index) })) };
    case "next":
      return { draft: update(a.id, (n) => ({ ...n, next: a.next })) };
    case "root":
      return def.nodes.some((n) => n.id === a.id) ? { draft: withNodes(def.nodes, a.id) } : null;
    case "addNode": {
      const id = newNodeId(def, a.kind);
      const node = reshape({ id, type: a.kind, text: "" }, a.kind);
      let nodes = [...def.nodes, node];
      if (a.from) {
        const { id: from, index } = a.from;
        nodes = nodes.map((n) => {
          if (n.id !== from) return n;
          if (index !== undefined && n.options?.[index]) return { ...n, options: n.options.map((o, i) => (i === index ? { ...o, next: id } : o)) };
          return n.type === "action" ? { ...n, next: id } : n;
        });
      }
      return { draft: withNodes(nodes), selected: id };
    }
    case "removeNode": {
      if (def.nodes.length <= 1 || !def.nodes.some((n) => n.id === a.id)) return null;
      // References to the removed node stay as they are: they now point nowhere, and the editor
      // shows them as such until the author retargets them.
      const nodes = def.nodes.filter((n) => n.id !== a.id);
      return { draft: withNodes(nodes, def.root === a.id ? nodes[0]!.id : def.root) };
    }
    default:
      return null;
  }
}

/** A node turned into another kind, keeping what still fits. */
function reshape(n: TreeNode, kind: NodeType): TreeNode {
  const base: TreeNode = { id: n.id, type: kind, text: n.text, ...(n.help ? { help: n.help } : {}) };
  switch (kind) {
    case "question": {
      const options = n.options?.length ? n.options : n.next ? [{ ...newOption([], 1), next: n.next }, newOption([], 2)] : [newOption([], 1), newOption([], 2)];
      return { ...base, options };
    }
    case "action":
      return { ...base, next: n.next ?? n.options?.find((o) => o.next)?.next ?? "" };
    default:
      return base;
  }
}

function newOption(existing: NodeOption[], n: number): NodeOption {
  let i = n;
  while (existing.some((o) => o.id === `option_${i}`)) i++;
  return { id: `option_${i}`, label: "", next: "" };
}

export function newNodeId(def: Definition, kind: NodeType): string {
  let i = def.nodes.filter((n) => n.type === kind).length + 1;
  while (def.nodes.some((n) => n.id === `${kind}_${i}`)) i++;
  return `${kind}_${i}`;
}

/** A reference from a node (an option, or an action's next) that names no node of the tree. */
export interface Dangling {
  node: string;
  /** The option's index; absent for an action's next. */
  option?: number;
  /** What it names: a removed node's id, or "" when nothing was chosen yet. */
  target: string;
}

export function danglingReferences(def: Definition): Dangling[] {
  const ids = new Set(def.nodes.map((n) => n.id));
  const out: Dangling[] = [];
  for (const n of def.nodes) {
    if (n.type === "question") (n.options ?? []).forEach((o, i) => !ids.has(o.next) && out.push({ node: n.id, option: i, target: o.next }));
    if (n.type === "action" && !ids.has(n.next ?? "")) out.push({ node: n.id, target: n.next ?? "" });
  }
  return out;
}

/** The draft as the API's TreeWrite body. */
export function toWrite(d: Draft, status: "draft" | "published") {
  return {
    title: d.title.trim(),
    category: d.category.trim(),
    status,
    ...(d.description.trim() && { description: d.description.trim() }),
    tags: d.tags,
    definition: d.definition,
  };
}
