import { defineConfig } from "vitest/config";

// End-to-end tests: Debian's chromium, driven by playwright-core, against the real binary on a
// database of its own. Files run one after another: they share two cores with the server.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
