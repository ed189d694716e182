import { describe, expect, it } from "vitest";
import { type Action, danglingReferences, type Draft, type EditorState, emptyDraft, initialState, isDirty, reducer } from "./model";

const run = (s: EditorState, ...actions: Action[]) => actions.reduce(reducer, s);

function printer(): Draft {
  return {
    title: "Printer offline",
    description: "",
    category: "Printing",
    tags: [],
    definition: {
      root: "power",
      nodes: [
        { id: "power", type: "question", text: "Power light on?", options: [{ id: "on", label: "Yes", next: "spool" }, { id: "off", label: "No", next: "plug" }] },
        { id: "spool", type: "action", text: "Restart the spooler", next: "esc" },
        { id: "plug", type: "solution", text: "Plug it in" },
        { id: "esc", type: "escalation", text: "Hand over" },
      ],
    },
  };
}

const node = (s: EditorState, id: string) => s.draft.definition.nodes.find((n) => n.id === id);

describe("the tree editor's model", () => {
  it("adds a node on an option, points the option at it and selects it", () => {
    const s = run(initialState(printer()), { type: "addOption", id: "power" }, { type: "addNode", kind: "solution", from: { id: "power", index: 2 } });
    expect(node(s, "power")!.options![2]).toEqual({ id: "option_3", label: "", next: "solution_2" });
    expect(node(s, "solution_2")).toEqual({ id: "solution_2", type: "solution", text: "" });
    expect(s.selected).toBe("solution_2");
  });

  it("adds a node after an action", () => {
    const s = run(initialState(printer()), { type: "addNode", kind: "question", from: { id: "spool" } });
    expect(node(s, "spool")!.next).toBe("question_2");
    expect(node(s, "question_2")!.options).toHaveLength(2);
  });

  it("removing a node leaves the options that led to it pointing nowhere, and shows them", () => {
    const s = run(initialState(printer()), { type: "removeNode", id: "spool" });
    expect(node(s, "spool")).toBeUndefined();
    expect(danglingReferences(s.draft.definition)).toEqual([{ node: "power", option: 0, target: "spool" }]);
  });

  it("retargeting an option mends it", () => {
    const s = run(initialState(printer()), { type: "removeNode", id: "spool" }, { type: "option", id: "power", index: 0, patch: { next: "esc" } });
    expect(danglingReferences(s.draft.definition)).toEqual([]);
  });

  it("removing the root makes another node the root; the last node stays", () => {
    let s = run(initialState(printer()), { type: "removeNode", id: "power" });
    expect(s.draft.definition.root).toBe("spool");
    s = run(initialState(emptyDraft()), { type: "removeNode", id: "start" });
    expect(s.draft.definition.nodes).toHaveLength(1);
  });

  it("a new option and an action without next are dangling until chosen", () => {
    const s = run(initialState(printer()), { type: "addOption", id: "power" }, { type: "kind", id: "plug", kind: "action" });
    expect(danglingReferences(s.draft.definition)).toEqual([
      { node: "power", option: 2, target: "" },
      { node: "plug", target: "" },
    ]);
  });

  it("changing a kind keeps what fits: an action's next becomes a question's first answer", () => {
    const s = run(initialState(printer()), { type: "kind", id: "spool", kind: "question" });
    expect(node(s, "spool")).toEqual({
      id: "spool", type: "question", text: "Restart the spooler",
      options: [{ id: "option_1", label: "", next: "esc" }, { id: "option_2", label: "", next: "" }],
    });
    const back = run(s, { type: "kind", id: "spool", kind: "solution" });
    expect(node(back, "spool")).toEqual({ id: "spool", type: "solution", text: "Restart the spooler" });
  });

  it("undoes and redoes, and a new change forgets what was undone", () => {
    let s = run(initialState(printer()), { type: "removeNode", id: "plug" }, { type: "root", id: "spool" });
    s = run(s, { type: "undo" });
    expect(s.draft.definition.root).toBe("power");
    s = run(s, { type: "undo" });
    expect(node(s, "plug")).toBeDefined();
    s = run(s, { type: "redo" });
    expect(node(s, "plug")).toBeUndefined();
    s = run(s, { type: "text", id: "esc", field: "text", value: "Call the vendor" });
    expect(s.future).toEqual([]);
    expect(run(s, { type: "redo" })).toBe(s);
  });

  it("typing into one field is one undo step", () => {
    let s = initialState(printer());
    for (const value of ["P", "Po", "Pow", "Power?"]) s = run(s, { type: "text", id: "power", field: "text", value });
    s = run(s, { type: "text", id: "spool", field: "text", value: "Restart it" });
    expect(s.past).toHaveLength(2);
    s = run(s, { type: "undo" }, { type: "undo" });
    expect(node(s, "power")!.text).toBe("Power light on?");
  });

  it("knows when the draft differs from what was saved", () => {
    let s = initialState(printer());
    expect(isDirty(s)).toBe(false);
    s = run(s, { type: "meta", patch: { title: "Printer offline (2F)" } });
    expect(isDirty(s)).toBe(true);
    s = run(s, { type: "saved", draft: s.draft });
    expect(isDirty(s)).toBe(false);
    expect(isDirty(run(s, { type: "undo" }))).toBe(true);
  });
});
