import { snippetParts } from "./snippet";

export function Snippet({ html }: { html: string }) {
  return (
    <span className="snippet">
      {snippetParts(html).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </span>
  );
}
