import { keepPreviousData } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, GitBranch, Play, Search } from "lucide-react";
import { type ReactNode, useState } from "react";
import { useSearchParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { EmptyState, PageHeader } from "../ui/PageHeader";
import { Snippet } from "../ui/Snippet";
import { Loading } from "../ui/Spinner";
import { useDebounced } from "../ui/useDebounced";
import { StartDialog } from "./StartDialog";

type TreeSummary = components["schemas"]["TreeSummary"];

const PAGE = 24;

/** A technician picks a published tree, by category or by search, and starts a session on it. */
export function StartSessionPage() {
  const [params, setParams] = useSearchParams();
  const category = params.get("category") ?? "";
  const page = Math.max(0, Number.parseInt(params.get("page") ?? "0", 10) || 0);
  const [text, setText] = useState(params.get("q") ?? "");
  const q = useDebounced(text.trim(), 250);
  const [chosen, setChosen] = useState<TreeSummary | null>(null);

  const categories = $api.useQuery("get", "/api/v1/trees/categories");
  const list = $api.useQuery(
    "get",
    "/api/v1/trees",
    { params: { query: { status: "published", limit: PAGE, offset: page * PAGE, ...(category && { category }) } } },
    { enabled: q === "", placeholderData: keepPreviousData },
  );
  const search = $api.useQuery("get", "/api/v1/trees/search", { params: { query: { q, limit: 30 } } }, { enabled: q !== "", placeholderData: keepPreviousData });

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };

  let results: ReactNode;
  if (q !== "") {
    const hits = (search.data?.items ?? []).filter((h) => h.tree.status === "published");
    results = search.isPending ? (
      <Loading label="Searching…" />
    ) : search.error ? (
      <ProblemAlert error={search.error} />
    ) : hits.length === 0 ? (
      <EmptyState icon={<Search size={28} />} title={`No published tree matches “${q}”`}>
        <p>Try fewer or other words, or pick a category.</p>
      </EmptyState>
    ) : (
      <ul className="tree-grid" aria-label="Search results">
        {hits.map((h) => (
          <TreeCard key={h.tree.id} tree={h.tree} onStart={setChosen}>
            <p className="tree-snippet">
              <Snippet html={h.snippet} />
            </p>
          </TreeCard>
        ))}
      </ul>
    );
  } else if (list.isPending) {
    results = <Loading label="Loading trees…" />;
  } else if (list.error) {
    results = <ProblemAlert error={list.error} />;
  } else if (list.data.items.length === 0) {
    results = (
      <EmptyState icon={<GitBranch size={28} />} title="No published trees yet">
        <p>An engineer of your account publishes the troubleshooting trees you run here.</p>
      </EmptyState>
    );
  } else {
    const total = list.data.total;
    results = (
      <>
        <ul className="tree-grid" aria-label="Published trees">
          {list.data.items.map((t) => (
            <TreeCard key={t.id} tree={t} onStart={setChosen}>
              {t.description && <p className="tree-description">{t.description}</p>}
            </TreeCard>
          ))}
        </ul>
        {total > PAGE && (
          <nav className="pager" aria-label="Pages">
            <Button size="sm" icon={<ChevronLeft size={16} aria-hidden />} disabled={page === 0} onClick={() => update({ page: String(page - 1) })}>
              Previous
            </Button>
            <span>
              Page {page + 1} of {Math.ceil(total / PAGE)}
            </span>
            <Button size="sm" disabled={(page + 1) * PAGE >= total} onClick={() => update({ page: String(page + 1) })}>
              Next <ChevronRight size={16} aria-hidden />
            </Button>
          </nav>
        )}
      </>
    );
  }

  return (
    <main className="page" id="main">
      <PageHeader title="Start a session" subtitle="Pick the troubleshooting tree that fits the ticket. Every step you take is recorded for the ticket notes." />
      <div className="toolbar">
        <div className="search">
          <Search size={18} aria-hidden className="search-icon" />
          <input
            className="input search-input"
            type="search"
            aria-label="Search trees"
            placeholder="Search by symptom, e.g. “outlook password prompt”"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              update({ q: e.target.value || null, page: null });
            }}
          />
        </div>
      </div>
      {q === "" && (
        <div className="chips" role="group" aria-label="Category">
          <button type="button" className="chip" aria-pressed={category === ""} onClick={() => update({ category: null, page: null })}>
            All
          </button>
          {(categories.data?.items ?? []).map((c) => (
            <button key={c.category} type="button" className="chip" aria-pressed={category === c.category} onClick={() => update({ category: c.category, page: null })}>
              {c.category} <span className="chip-count">{c.count}</span>
            </button>
          ))}
        </div>
      )}
      <section aria-live="polite" aria-busy={search.isFetching || list.isFetching}>
        {results}
      </section>
      <StartDialog tree={chosen} onClose={() => setChosen(null)} />
    </main>
  );
}

function TreeCard({ tree, onStart, children }: { tree: TreeSummary; onStart(t: TreeSummary): void; children?: ReactNode }) {
  return (
    <li className="card tree-card">
      <div className="tree-card-head">
        <Badge tone="neutral">{tree.category}</Badge>
        <span className="muted small">v{tree.current_version}</span>
      </div>
      <h2 className="tree-title">{tree.title}</h2>
      {children}
      {tree.tags.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {tree.tags.map((t) => (
            <li key={t} className="tag">
              {t}
            </li>
          ))}
        </ul>
      )}
      <div className="tree-card-foot">
        <Button variant="primary" size="sm" icon={<Play size={14} aria-hidden />} onClick={() => onStart(tree)} aria-label={`Start a session on ${tree.title}`}>
          Start
        </Button>
      </div>
    </li>
  );
}
