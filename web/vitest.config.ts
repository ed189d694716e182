import { defineConfig } from "vitest/config";

// Unit tests of the console's pure modules: no browser, no server.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
