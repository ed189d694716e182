import { describe, expect, it } from "vitest";
import { fieldIssue, placeProblems } from "./problems";

const def = {
  root: "power",
  nodes: [
    { id: "power", type: "question" as const, text: "Power on?", options: [{ id: "on", label: "Yes", next: "gone" }, { id: "off", label: "", next: "plug" }] },
    { id: "plug", type: "solution" as const, text: "Plug it in" },
  ],
};

describe("placing the server's problems", () => {
  const placed = placeProblems(
    [
      { pointer: "/definition/nodes/0/options/0/next", node_id: "power", detail: 'node "power" leads to "gone", which is not a node of this tree' },
      { pointer: "/definition/nodes/0/options/1/label", node_id: "power", detail: "option needs a label" },
      { pointer: "/definition/nodes/1", node_id: "plug", detail: "cannot be reached" },
      { pointer: "/title", detail: "string is too long" },
      { pointer: "/definition/root", node_id: "nowhere", detail: "the root is not a node" },
    ],
    def,
  );

  it("puts a problem on the node it names, at the field its pointer names", () => {
    expect(fieldIssue(placed, "power", "options.0.next")).toContain('"gone"');
    expect(fieldIssue(placed, "power", "options.1.label")).toBe("option needs a label");
    expect(placed.byNode.get("plug")).toEqual([{ detail: "cannot be reached", field: "" }]);
  });

  it("puts the rest on the tree", () => {
    expect(placed.tree).toEqual([
      { detail: "string is too long", field: "title" },
      { detail: "the root is not a node", field: "definition/root" },
    ]);
  });

  it("finds the node by its index when the problem names none", () => {
    const p = placeProblems([{ pointer: "/definition/nodes/1/text", detail: "no text" }], def);
    expect(fieldIssue(p, "plug", "text")).toBe("no text");
  });
});
