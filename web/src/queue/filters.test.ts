import { describe, expect, it } from "vitest";
import { readFilters, toQuery, writeFilters } from "./filters";

describe("queue filters", () => {
  it("round-trip through the URL and ignore what they do not know", () => {
    const f = readFilters(new URLSearchParams("status=open&priority=urgent&mine=1&age=1h&evil=<x>"));
    expect(f).toEqual({ status: "open", priority: "urgent", mine: true, age: "1h" });
    expect(writeFilters(f).toString()).toBe("status=open&priority=urgent&mine=1&age=1h");
    expect(readFilters(new URLSearchParams("status=deleted&priority=max&age=1y"))).toEqual({ status: "", priority: "", mine: false, age: "" });
  });

  it("turn the age into created_before on a minute boundary", () => {
    const now = Date.parse("2026-12-01T10:07:42Z");
    const q = toQuery({ status: "", priority: "", mine: false, age: "15m" }, now, 100);
    expect(q).toEqual({ limit: 100, created_before: "2026-12-01T09:52:00.000Z" });
    expect(toQuery({ status: "", priority: "", mine: false, age: "15m" }, now + 10_000, 100)).toEqual(q);
  });
});
