import { defineConfig } from "vitest/config";

// Measurements of the console against the real binary (make bench-console): printed, never
// asserted on.
export default defineConfig({
  test: {
    include: ["e2e/bench/**/*.measure.ts"],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
