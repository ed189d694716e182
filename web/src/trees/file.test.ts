import { describe, expect, it } from "vitest";
import { fileName, fromFile, toFile } from "./file";

const definition = { root: "a", nodes: [{ id: "a", type: "solution" as const, text: "Done" }] };

describe("tree files", () => {
  it("round-trip a version into a draft of the same tree", () => {
    const file = toFile({ title: "VPN won't connect", description: "Remote users", category: "Remote access", tags: ["vpn"] }, 3, definition);
    expect(fromFile(JSON.stringify(file), "vpn.v3.json")).toEqual({
      title: "VPN won't connect", description: "Remote users", category: "Remote access", tags: ["vpn"], status: "draft", definition,
    });
  });
  it("accept a bare definition, titled after the file", () => {
    expect(fromFile(JSON.stringify(definition), "printer-offline.v2.json")).toMatchObject({ title: "printer-offline", category: "Imported", status: "draft" });
  });
  it("say what is wrong with a file that is not a tree", () => {
    expect(() => fromFile("{nope", "x.json")).toThrow(/not JSON/);
    expect(() => fromFile('{"title":"x"}', "x.json")).toThrow(/not a ResolutionFlow tree/);
  });
  it("name the file after the title and version", () => {
    expect(fileName("VPN won't connect (home)", 3)).toBe("vpn-won-t-connect-home.v3.json");
  });
});
