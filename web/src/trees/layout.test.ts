import { describe, expect, it } from "vitest";
import { layout } from "./layout";

describe("the layered layout", () => {
  const boxes = [
    { id: "q", width: 240, height: 90 },
    { id: "a", width: 240, height: 60 },
    { id: "b", width: 240, height: 140 },
    { id: "c", width: 200, height: 60 },
  ];
  const links = [
    { source: "q", target: "a", label: "Yes" },
    { source: "q", target: "b", label: "No, it keeps asking for a password" },
    { source: "a", target: "c" },
    { source: "b", target: "q", label: "Try again" },
  ];
  const at = layout(boxes, links);

  it("puts each node below the one that leads to it, loops aside", () => {
    expect(at.get("a")!.y).toBeGreaterThan(at.get("q")!.y + 90);
    expect(at.get("b")!.y).toBeGreaterThan(at.get("q")!.y + 90);
    expect(at.get("c")!.y).toBeGreaterThan(at.get("a")!.y + 60);
  });

  it("never overlaps two nodes, whatever their measured sizes", () => {
    const rects = boxes.map((b) => ({ ...b, ...at.get(b.id)! }));
    for (const r of rects)
      for (const s of rects) {
        if (r === s) continue;
        const apart = r.x + r.width <= s.x || s.x + s.width <= r.x || r.y + r.height <= s.y || s.y + s.height <= r.y;
        expect(apart, `${r.id} and ${s.id}`).toBe(true);
      }
  });
});
