import { describe, expect, it } from "vitest";
import { ApiError, describeError, retryPhrase, sentence, toApiError } from "./errors";

describe("errors a person can read", () => {
  it("turn the server's detail into a sentence", () => {
    expect(sentence("the email or password is wrong")).toBe("The email or password is wrong.");
    expect(sentence("Already a sentence!")).toBe("Already a sentence!");
  });

  it("say when to try again after a 429", async () => {
    const res = new Response(JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429, detail: "too many failed sign-ins for this email" }), {
      status: 429,
      headers: { "Content-Type": "application/problem+json", "Retry-After": "840" },
    });
    const err = await toApiError(res);
    expect(err.retryAfter).toBe(840);
    expect(describeError(err)).toMatch(/^Too many failed sign-ins for this email\. Try again in 14 minutes \(at [^)]+\)\.$/);
    expect(retryPhrase(30)).toBe("in 30 seconds");
  });

  it("never swallow an answer without a body", async () => {
    const err = await toApiError(new Response(null, { status: 502, statusText: "Bad Gateway" }));
    expect(err).toBeInstanceOf(ApiError);
    expect(describeError(err)).toBe("The server answered 502 without a readable explanation.");
  });

  it("name an unreachable server", () => {
    expect(describeError(new TypeError("Failed to fetch"))).toMatch(/cannot be reached/);
  });
});
