import { describe, expect, it } from "vitest";
import { layout, openingViewport } from "./layout";

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

describe("where the picture opens", () => {
  const view = { width: 600, height: 500 };
  const root = { x: 200, y: 0, width: 200, height: 80 };

  it("centres the start of the tree when it fits", () => {
    const start = [root, { x: 0, y: 160, width: 200, height: 80 }, { x: 400, y: 160, width: 200, height: 80 }];
    const v = openingViewport(start, root, view);
    expect(v.zoom).toBeCloseTo(552 / 600);
    // The box's centre (300, 120) lands on the view's centre.
    expect(300 * v.zoom + v.x).toBeCloseTo(300);
    expect(120 * v.zoom + v.y).toBeCloseTo(250);
  });

  it("keeps the root at the top and centred when the start is too big even at the smallest zoom", () => {
    const start = [root, { x: -2000, y: 160, width: 200, height: 80 }, { x: 2400, y: 900, width: 200, height: 80 }];
    const v = openingViewport(start, root, view);
    expect(v.zoom).toBe(0.6);
    expect((root.x + root.width / 2) * v.zoom + v.x).toBeCloseTo(300);
    expect(root.y * v.zoom + v.y).toBeCloseTo(24);
  });

  it("never zooms in past the most", () => {
    expect(openingViewport([root], root, view).zoom).toBe(1.1);
  });
});

