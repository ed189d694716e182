import { keepPreviousData, useQueryClient } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, GitBranch, Play, Plus, Search, Upload, X } from "lucide-react";
import { type ReactNode, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api, api } from "../app/services";
import { atLeast, useMe } from "../auth/AuthProvider";
import { StartDialog } from "../sessions/StartDialog";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { EmptyState, PageHeader } from "../ui/PageHeader";
import { Snippet } from "../ui/Snippet";
import { Loading } from "../ui/Spinner";
import { useDebounced } from "../ui/useDebounced";
import { fromFile } from "./file";
import { treeKey } from "./queries";

type TreeSummary = components["schemas"]["TreeSummary"];
type TreeStatus = components["schemas"]["TreeStatus"];

const PAGE = 24;
const STATUSES: { value: TreeStatus | ""; label: string }[] = [
  { value: "published", label: "Published" },
  { value: "draft", label: "Drafts" },
  { value: "archived", label: "Archived" },
  { value: "", label: "All" },
];
const statusTone = { draft: "warning", published: "success", archived: "neutral" } as const;

/**
 * The trees of the account. A technician picks a published one, by category or by search, and
 * starts a session on it; engineers also see drafts and archived trees, and author new ones.
 */
export function TreesPage() {
  const me = useMe();
  const engineer = atLeast(me.user.role, "engineer");
  const [params, setParams] = useSearchParams();
  const category = params.get("category") ?? "";
  const tag = params.get("tag") ?? "";
  // "any" in the address means every status; no status means the published trees.
  const asked = engineer ? (params.get("status") ?? "published") : "published";
  const status = (asked === "any" ? "" : asked) as TreeStatus | "";
  const page = Math.max(0, Number.parseInt(params.get("page") ?? "0", 10) || 0);
  const [text, setText] = useState(params.get("q") ?? "");
  const q = useDebounced(text.trim(), 250);
  const [chosen, setChosen] = useState<TreeSummary | null>(null);

  const categories = $api.useQuery("get", "/api/v1/trees/categories");
  const list = $api.useQuery(
    "get",
    "/api/v1/trees",
    { params: { query: { limit: PAGE, offset: page * PAGE, ...(status && { status }), ...(category && { category }), ...(tag && { tag }) } } },
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
  const card = (t: TreeSummary, body: ReactNode) => <TreeCard key={t.id} tree={t} engineer={engineer} onStart={setChosen} onTag={(t) => update({ tag: t, page: null })} body={body} />;

  let results: ReactNode;
  if (q !== "") {
    const hits = (search.data?.items ?? []).filter((h) => engineer || h.tree.status === "published");
    results = search.isPending ? (
      <Loading label="Searching…" />
    ) : search.error ? (
      <ProblemAlert error={search.error} />
    ) : hits.length === 0 ? (
      <EmptyState icon={<Search size={28} />} title={`No ${engineer ? "" : "published "}tree matches “${q}”`}>
        <p>Try fewer or other words, or pick a category.</p>
      </EmptyState>
    ) : (
      <ul className="tree-grid" aria-label="Search results">
        {hits.map((h) =>
          card(
            h.tree,
            <p className="tree-snippet">
              <Snippet html={h.snippet} />
            </p>,
          ),
        )}
      </ul>
    );
  } else if (list.isPending) {
    results = <Loading label="Loading trees…" />;
  } else if (list.error) {
    results = <ProblemAlert error={list.error} />;
  } else if (list.data.items.length === 0) {
    results = (
      <EmptyState icon={<GitBranch size={28} />} title={status === "published" ? "No published trees yet" : "No trees here"}>
        <p>{engineer ? "Create one, or import a tree exported from another account." : "An engineer of your account publishes the troubleshooting trees you run here."}</p>
      </EmptyState>
    );
  } else {
    const total = list.data.total;
    results = (
      <>
        <ul className="tree-grid" aria-label={status === "published" ? "Published trees" : "Trees"}>
          {list.data.items.map((t) => card(t, t.description && <p className="tree-description">{t.description}</p>))}
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
      <PageHeader
        title={engineer ? "Trees" : "Start a session"}
        subtitle={engineer ? "Run, author and improve your account's troubleshooting trees." : "Pick the troubleshooting tree that fits the ticket. Every step you take is recorded for the ticket notes."}
        actions={
          engineer && (
            <>
              <ImportButton />
              <Link to="/trees/new" className="btn btn-primary btn-md">
                <Plus size={16} aria-hidden /> New tree
              </Link>
            </>
          )
        }
      />
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
        <div className="filter-rows">
          {engineer && (
            <div className="chips" role="group" aria-label="Status">
              {STATUSES.map((s) => (
                <button key={s.label} type="button" className="chip" aria-pressed={status === s.value} onClick={() => update({ status: s.value === "published" ? null : s.value || "any", page: null })}>
                  {s.label}
                </button>
              ))}
            </div>
          )}
          <div className="chips" role="group" aria-label="Category">
            <button type="button" className="chip" aria-pressed={category === ""} onClick={() => update({ category: null, page: null })}>
              All categories
            </button>
            {(categories.data?.items ?? []).map((c) => (
              <button key={c.category} type="button" className="chip" aria-pressed={category === c.category} onClick={() => update({ category: c.category, page: null })}>
                {c.category} <span className="chip-count">{c.count}</span>
              </button>
            ))}
          </div>
          {tag && (
            <div className="chips" role="group" aria-label="Tag">
              <button type="button" className="chip" aria-pressed="true" onClick={() => update({ tag: null, page: null })}>
                Tag: {tag} <X size={14} aria-label="remove" />
              </button>
            </div>
          )}
        </div>
      )}
      <section aria-live="polite" aria-busy={search.isFetching || list.isFetching}>
        {results}
      </section>
      <StartDialog tree={chosen} onClose={() => setChosen(null)} />
    </main>
  );
}

function TreeCard({ tree, engineer, onStart, onTag, body }: { tree: TreeSummary; engineer: boolean; onStart(t: TreeSummary): void; onTag(tag: string): void; body?: ReactNode }) {
  return (
    <li className="card tree-card">
      <div className="tree-card-head">
        <Badge tone="neutral">{tree.category}</Badge>
        <span className="muted small">
          {engineer && tree.status !== "published" && <Badge tone={statusTone[tree.status]}>{tree.status === "draft" ? "Draft" : "Archived"}</Badge>} v{tree.current_version}
        </span>
      </div>
      <h2 className="tree-title">
        <Link to={`/trees/${tree.id}`}>{tree.title}</Link>
      </h2>
      {body}
      {tree.tags.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {tree.tags.map((t) => (
            <li key={t}>
              <button type="button" className="tag" onClick={() => onTag(t)} aria-label={`Trees tagged ${t}`}>
                {t}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="tree-card-foot">
        {tree.status === "published" && (
          <Button variant="primary" size="sm" icon={<Play size={14} aria-hidden />} onClick={() => onStart(tree)} aria-label={`Start a session on ${tree.title}`}>
            Start
          </Button>
        )}
      </div>
    </li>
  );
}

/** Imports a tree file as a new draft, and opens it in the editor with what the server found. */
function ImportButton() {
  const input = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const pick = async (file: File) => {
    setBusy(true);
    setError(null);
    try {
      const write = fromFile(await file.text(), file.name);
      const { data, response } = await api.POST("/api/v1/trees", { body: write });
      client.setQueryData(treeKey(data!.id), { tree: data!, etag: response.headers.get("ETag") ?? "" });
      navigate(`/trees/${data!.id}/edit`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  };
  return (
    <>
      <input ref={input} type="file" accept="application/json,.json" className="sr-only" tabIndex={-1} aria-hidden onChange={(e) => e.target.files?.[0] && void pick(e.target.files[0])} id="import-tree" />
      <Button icon={<Upload size={16} aria-hidden />} busy={busy} onClick={() => input.current?.click()}>
        Import
      </Button>
      {error !== null && (
        <div className="import-error">
          {error instanceof Error && !("status" in error) ? <Alert tone="danger" title={error.message} /> : <ProblemAlert error={error} title="The tree was not imported" />}
        </div>
      )}
    </>
  );
}
