import { describe, expect, it } from "vitest";
import { safeNext } from "./SignInPage";

const origin = "http://console.test";

describe("where sign-in leads", () => {
  it("keeps a page of the console", () => {
    expect(safeNext("/escalations/0b8f?x=1#steps", origin)).toBe("/escalations/0b8f?x=1#steps");
    expect(safeNext("/queue", origin)).toBe("/queue");
  });
  it("never leaves for another site", () => {
    for (const next of ["//evil.example/x", "/\\evil.example", "/\t/evil.example", "https://evil.example", "javascript:alert(1)", "", null]) {
      expect(safeNext(next, origin), JSON.stringify(next)).toBe("/");
    }
  });
});
