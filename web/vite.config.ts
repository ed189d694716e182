import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `make web-dev` serves the console with hot reload and proxies the API to a running
// `resolutionflow serve` (API_TARGET, default the address `make run` prints).
const target = process.env.API_TARGET ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    // Embedded by internal/console; dist/placeholder beside it is served when this is missing.
    outDir: "../internal/console/dist/app",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: {
      // The live stream gets an entry of its own: it must not be buffered, and the proxy must
      // hang up on the server when the browser hangs up on the proxy, or every reload would
      // leave a stream open upstream. The Host header is kept (no changeOrigin) so that the
      // refresh cookie's same-site check sees the page's own origin.
      "/api/v1/ai-sessions/escalations/stream": {
        target,
        configure(proxy) {
          proxy.on("proxyReq", (proxyReq, _req, res) => {
            res.on("close", () => proxyReq.destroy());
          });
          proxy.on("proxyRes", (proxyRes) => {
            proxyRes.headers["cache-control"] = "no-cache";
            proxyRes.headers["x-accel-buffering"] = "no";
          });
        },
      },
      "/api": { target },
      "/docs": { target },
      "/openapi.yaml": { target },
    },
  },
});
