import { describe, expect, it } from "vitest";
import { toFlow } from "./flow";
import { placeProblems } from "./problems";

const def = {
  root: "power",
  nodes: [
    { id: "power", type: "question" as const, text: "Is the power light on?", options: [{ id: "on", label: "Yes", next: "spool" }, { id: "off", label: "No", next: "gone" }] },
    { id: "spool", type: "action" as const, text: "Restart the spooler", next: "esc" },
    { id: "esc", type: "escalation" as const, text: "Hand over" },
  ],
};

describe("the tree as a picture", () => {
  it("labels each option's edge, and names nodes and edges for screen readers", () => {
    const { nodes, edges } = toFlow(def);
    expect(edges.map((e) => [e.id, e.source, e.target, e.label])).toEqual([
      ["power->on", "power", "spool", "Yes"],
      ["spool->next", "spool", "esc", undefined],
    ]);
    expect(nodes[0]!.ariaLabel).toBe("Question (start): Is the power light on?");
    expect(edges[0]!.ariaLabel).toBe("“Yes” leads from “Is the power light on?” to “Restart the spooler”");
  });

  it("marks options that point nowhere instead of drawing them", () => {
    const { nodes } = toFlow(def);
    expect(nodes[0]!.data.dangling).toEqual([1]);
  });

  it("carries visits, time, exits and problems onto the nodes", () => {
    const stats = new Map([["power", { visits: 40, medianSeconds: 12.4 }], ["spool", { visits: 10, medianSeconds: 95 }]]);
    const placed = placeProblems([{ node_id: "spool", pointer: "/definition/nodes/1/next", detail: "leads nowhere" }], def);
    const { nodes } = toFlow(def, { stats, exits: new Map([["spool", 3]]), placed });
    const spool = nodes[1]!;
    expect(spool.data).toMatchObject({ stat: { visits: 10 }, heat: 0.25, exits: 3, issues: ["leads nowhere"] });
    expect(spool.ariaLabel).toBe("Action: Restart the spooler. 10 visits, median 95 seconds. 3 sessions stopped here. 1 problem");
  });
});
