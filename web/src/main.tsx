import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import "./styles.css";

// A tab left open across an upgrade asks for chunks that no longer exist (the server answers
// 404, never HTML): reload once to get the new version, but never loop.
window.addEventListener("vite:preloadError", (event) => {
  const key = "resolutionflow-reloaded-for";
  const build = document.querySelector<HTMLScriptElement>("script[type=module][src]")?.src ?? "";
  if (sessionStorage.getItem(key) === build) return;
  sessionStorage.setItem(key, build);
  event.preventDefault();
  window.location.reload();
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
