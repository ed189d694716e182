import { describe, expect, it } from "vitest";
import { snippetParts } from "./snippet";

describe("search snippets", () => {
  it("keeps the marks and decodes the escaped text", () => {
    expect(snippetParts("Open &lt;b&gt;Credential Manager&lt;/b&gt; &amp; clear the <mark>Outlook</mark> entries")).toEqual([
      { text: "Open <b>Credential Manager</b> & clear the ", mark: false },
      { text: "Outlook", mark: true },
      { text: " entries", mark: false },
    ]);
  });
  it("never produces markup from the text", () => {
    const parts = snippetParts("&lt;img src=x onerror=alert(1)&gt; <mark>vpn</mark>");
    expect(parts[0]).toEqual({ text: "<img src=x onerror=alert(1)> ", mark: false });
  });
  it("decodes numeric references", () => {
    expect(snippetParts("caf&#233; &#x2014; ok")[0]!.text).toBe("café — ok");
  });
});
