import { describe, expect, it } from "vitest";
import { generatePassword } from "./password";

describe("first passwords", () => {
  it("are four readable groups of five, long enough for the server's rule", () => {
    const p = generatePassword();
    expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{5}(-[a-km-zA-HJ-NP-Z2-9]{5}){3}$/);
    expect(p.length).toBeGreaterThanOrEqual(12);
  });
  it("differ each time", () => {
    expect(new Set(Array.from({ length: 50 }, () => generatePassword())).size).toBe(50);
  });
});
