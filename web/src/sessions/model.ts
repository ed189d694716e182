// What a session's history means, in words: pure functions over the session and the tree
// version it is pinned to.
import type { components } from "../../../gen/ts/schema";

export type Session = components["schemas"]["Session"];
export type Step = components["schemas"]["SessionStep"];
export type TreeNode = components["schemas"]["TreeNode"];
export type Definition = components["schemas"]["TreeDefinition"];

export interface StepView {
  seq: number;
  kind: Step["kind"];
  title: string;
  answer: string | undefined;
  note: string | undefined;
  at: string;
  /** Milliseconds since the step before it (or since the session started). */
  took: number;
}

export function nodeIndex(def: Definition | undefined): Map<string, TreeNode> {
  return new Map((def?.nodes ?? []).map((n) => [n.id, n]));
}

/** The history as a technician reads it: what was asked or done, and what came of it. */
export function describeSteps(session: Session, def: Definition | undefined): StepView[] {
  const nodes = nodeIndex(def);
  let previous = Date.parse(session.started_at);
  return session.steps.map((s) => {
    const node = nodes.get(s.node_id);
    const at = Date.parse(s.created_at);
    const took = Math.max(0, at - previous);
    previous = at;
    const base = { seq: s.seq, kind: s.kind, note: s.note || undefined, at: s.created_at, took };
    switch (s.kind) {
      case "custom":
        return { ...base, title: s.text ?? "Custom step", answer: undefined };
      case "revert":
        return { ...base, title: nodes.get(s.to_node_id)?.text ?? s.to_node_id, answer: "Went back to this step" };
      default: {
        const option = node?.options?.find((o) => o.id === s.option_id);
        return { ...base, title: node?.text ?? s.node_id, answer: option?.label ?? (node?.type === "action" ? "Done" : s.option_id) };
      }
    }
  });
}

/** Whether going back is possible: an answer is left that no later step reverted. */
export function canGoBack(session: Session): boolean {
  let answers = 0;
  for (const s of session.steps) {
    if (s.kind === "answer") answers++;
    if (s.kind === "revert") answers--;
  }
  return answers > 0;
}

/** The summary an escalation starts from: the engineer reads it first. */
export function defaultSummary(session: Session): string {
  const node = session.current_node;
  if (node.type === "escalation") return `${session.tree_title}: ${node.text}`;
  return `${session.tree_title}: stuck at “${node.text}”`;
}

/** The option a number key (1–9) picks, if any. */
export function optionForKey(node: TreeNode, key: string): string | undefined {
  if (!/^[1-9]$/.test(key)) return undefined;
  return node.options?.[Number(key) - 1]?.id;
}
