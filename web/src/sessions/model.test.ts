import { describe, expect, it } from "vitest";
import { canGoBack, defaultSummary, describeSteps, optionForKey, type Session } from "./model";

const def = {
  root: "power",
  nodes: [
    { id: "power", type: "question" as const, text: "Is the power light on?", options: [{ id: "on", label: "Yes", next: "spool" }, { id: "off", label: "No", next: "plug" }] },
    { id: "spool", type: "action" as const, text: "Restart the spooler", next: "esc" },
    { id: "plug", type: "solution" as const, text: "Plug it in" },
    { id: "esc", type: "escalation" as const, text: "Hand to the print team" },
  ],
};

function session(steps: Session["steps"], current = "esc"): Session {
  const node = def.nodes.find((n) => n.id === current)!;
  return {
    id: "s", tree_id: "t", tree_version: 1, tree_title: "Printer offline", user_id: "u", status: "in_progress",
    current_node_id: current, ticket_ref: "", customer: "", asset: "", started_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:05:00Z", notes: "", current_node: node, ready_to_escalate: node.type === "escalation",
    resolution_note: "", steps,
  };
}

const at = (m: number) => `2026-12-01T10:0${m}:00Z`;

describe("a session's history in words", () => {
  const steps: Session["steps"] = [
    { seq: 1, kind: "answer", node_id: "power", option_id: "on", to_node_id: "spool", created_at: at(1), note: "green light" },
    { seq: 2, kind: "custom", node_id: "spool", to_node_id: "spool", text: "Power-cycled the printer", created_at: at(3) },
    { seq: 3, kind: "answer", node_id: "spool", to_node_id: "esc", created_at: at(4) },
  ];

  it("names the question and the answer, custom work and time taken", () => {
    expect(describeSteps(session(steps), def)).toEqual([
      { seq: 1, kind: "answer", title: "Is the power light on?", answer: "Yes", note: "green light", at: at(1), took: 60_000 },
      { seq: 2, kind: "custom", title: "Power-cycled the printer", answer: undefined, note: undefined, at: at(3), took: 120_000 },
      { seq: 3, kind: "answer", title: "Restart the spooler", answer: "Done", note: undefined, at: at(4), took: 60_000 },
    ]);
  });

  it("can go back while an answer is left unreverted", () => {
    expect(canGoBack(session(steps))).toBe(true);
    expect(canGoBack(session([]))).toBe(false);
    const reverted: Session["steps"] = [
      steps[0]!,
      { seq: 2, kind: "revert", node_id: "spool", to_node_id: "power", created_at: at(2) },
    ];
    expect(canGoBack(session(reverted, "power"))).toBe(false);
  });

  it("suggests a summary from where the session stands", () => {
    expect(defaultSummary(session(steps))).toBe("Printer offline: Hand to the print team");
    expect(defaultSummary(session([], "power"))).toBe("Printer offline: stuck at “Is the power light on?”");
  });

  it("maps number keys to options", () => {
    expect(optionForKey(def.nodes[0]!, "2")).toBe("off");
    expect(optionForKey(def.nodes[0]!, "3")).toBeUndefined();
    expect(optionForKey(def.nodes[0]!, "a")).toBeUndefined();
  });
});
