import type { components } from "../../../gen/ts/schema";

export type Problem = components["schemas"]["Problem"];

/** A non-OK answer of the API, with its problem document. Every error the API sends is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds to wait before trying again, from Retry-After (429). */
  readonly retryAfter: number | undefined;

  constructor(status: number, problem: Problem, retryAfter?: number) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** Reads a failed response into an ApiError, whatever its body. */
export async function toApiError(response: Response): Promise<ApiError> {
  let problem: Problem = { type: "about:blank", title: response.statusText || "Error", status: response.status };
  try {
    const body: unknown = await response.clone().json();
    if (body && typeof body === "object" && "title" in body) problem = body as Problem;
  } catch {
    problem.detail = `The server answered ${response.status} without a readable explanation.`;
  }
  const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  return new ApiError(response.status, problem, Number.isFinite(retry) ? retry : undefined);
}

/** The error as a sentence a person can act on. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const detail = sentence(err.problem.detail ?? err.problem.title);
    if (err.status === 429 && err.retryAfter !== undefined) return `${detail} Try again ${retryPhrase(err.retryAfter)}.`;
    return detail;
  }
  if (err instanceof TypeError) return "The server cannot be reached. Check your connection and try again.";
  if (err instanceof Error) return err.message;
  return "Something went wrong.";
}

/** The server's lower-case, unpunctuated detail as a sentence. */
export function sentence(detail: string): string {
  const s = detail.trim();
  if (!s) return s;
  const capital = s[0]!.toUpperCase() + s.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** "in 40 seconds", "in 3 minutes (at 14:05)". */
export function retryPhrase(seconds: number, now: Date = new Date()): string {
  if (seconds < 90) return `in ${Math.max(1, Math.round(seconds))} seconds`;
  const at = new Date(now.getTime() + seconds * 1000);
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `in ${Math.round(seconds / 60)} minutes (at ${time})`;
}

/** True for answers that retrying cannot change: the caller must act first. */
export function isClientError(err: unknown): boolean {
  return err instanceof ApiError && err.status >= 400 && err.status < 500;
}
