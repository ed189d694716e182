import { useQueryClient } from "@tanstack/react-query";
import { Plus, Redo2, Save, Send, Trash2, Undo2 } from "lucide-react";
import { type RefObject, useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { Link, useBlocker, useLocation, useNavigate, useParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { api } from "../app/services";
import { ApiError, describeError } from "../api/errors";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Select, TextArea, TextInput } from "../ui/Field";
import { BackLink, PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { KIND_LABEL } from "./flow";
import { type Action, danglingReferences, type Draft, emptyDraft, type EditorState, initialState, isDirty, KINDS, type NodeType, reducer, toWrite, type TreeNode } from "./model";
import { fieldIssue, type Placed, placeProblems } from "./problems";
import { treeKey, useTree } from "./queries";
import { TreeGraph } from "./TreeGraph";

type Tree = components["schemas"]["Tree"];
type ProblemError = components["schemas"]["ProblemError"];

function draftOf(t: Tree): Draft {
  return { title: t.title, description: t.description, category: t.category, tags: t.tags, definition: t.definition };
}

/** The editor for an existing tree (/trees/:id/edit) or a new one (/trees/new). */
export function EditorPage() {
  const { id } = useParams();
  const tree = useTree(id ?? "");
  if (!id) return <Editor key="new" initial={null} etag="" />;
  if (tree.isPending) return <Loading label="Loading the tree…" />;
  // Only when there is nothing to edit: a failed background refetch must not unmount the editor
  // and its unsaved changes.
  if (!tree.data)
    return (
      <main className="page" id="main">
        <ProblemAlert error={tree.error} title="This tree cannot be edited" />
      </main>
    );
  return <Editor key={id} initial={tree.data.tree} etag={tree.data.etag} />;
}

function Editor({ initial, etag: initialEtag }: { initial: Tree | null; etag: string }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [state, dispatch] = useReducer(reducer, initial ? draftOf(initial) : emptyDraft(), initialState);
  const [tree, setTree] = useState<Tree | null>(initial);
  const [etag, setEtag] = useState(initialEtag);
  const [problems, setProblems] = useState<ProblemError[] | undefined>(initial?.problems);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState<null | "draft" | "published">(null);
  const [conflict, setConflict] = useState<null | "draft" | "published">(null);
  const [lastTry, setLastTry] = useState<"draft" | "published">("draft");
  // A new tree's editor hands its last notice on to the editor at the tree's own address.
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const [goTo, setGoTo] = useState<{ path: string; notice: string } | null>(null);
  const dirty = isDirty(state);
  // False until the editor has rendered once: its children's effects run before this one.
  const editing = useRef(false);
  useEffect(() => {
    editing.current = true;
  }, []);

  const def = state.draft.definition;
  const placed = useMemo(() => placeProblems(problems, def), [problems, def]);

  const save = useCallback(
    async (status: "draft" | "published", ifMatch = etag) => {
      setSaving(status);
      setLastTry(status);
      setError(null);
      setNotice(null);
      try {
        const body = toWrite(state.draft, status);
        const { data, response } = tree
          ? await api.PUT("/api/v1/trees/{id}", { params: { path: { id: tree.id }, header: { "If-Match": ifMatch } }, body })
          : await api.POST("/api/v1/trees", { body });
        const saved = data!;
        dispatch({ type: "saved", draft: state.draft });
        setTree(saved);
        setEtag(response.headers.get("ETag") ?? "");
        setProblems(saved.problems);
        client.setQueryData(treeKey(saved.id), { tree: saved, etag: response.headers.get("ETag") ?? "" });
        void client.invalidateQueries({ queryKey: ["get", "/api/v1/trees"] });
        const said = status === "published" ? `Published as version ${saved.current_version}.` : saved.problems?.length ? "Draft saved. Fix the marked steps before publishing." : "Draft saved.";
        setNotice(said);
        if (!tree) setGoTo({ path: `/trees/${saved.id}/edit`, notice: said });
      } catch (err) {
        if (err instanceof ApiError && err.status === 412) setConflict(status);
        else if (err instanceof ApiError && err.status === 422) setProblems(err.problem.errors ?? []);
        setError(err);
      } finally {
        setSaving(null);
      }
    },
    [client, etag, state.draft, tree],
  );

  // Leaving with unsaved changes asks first: inside the console, and when the tab closes.
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);
  // A new tree's first save moves to its own address once the saved state has rendered. This
  // effect comes after useBlocker's, so that the guard it consults already knows the tree is saved.
  useEffect(() => {
    if (goTo) navigate(goTo.path, { replace: true, state: { notice: goTo.notice } });
  }, [goTo, navigate]);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  useEffect(() => {
    const keys = (e: KeyboardEvent) => {
      const field = (e.target as HTMLElement).closest("input, textarea, select");
      if (field || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "z") return;
      e.preventDefault();
      dispatch({ type: e.shiftKey ? "redo" : "undo" });
    };
    window.addEventListener("keydown", keys);
    return () => window.removeEventListener("keydown", keys);
  }, []);

  const node = def.nodes.find((n) => n.id === state.selected);
  const dangling = danglingReferences(def);
  const published = tree?.status === "published";

  return (
    <main className="page page-wide" id="main">
      <PageHeader
        eyebrow={
          <BackLink to={tree ? `/trees/${tree.id}` : "/trees"}>{tree ? tree.title : "Trees"}</BackLink>
        }
        title={tree ? `Edit: ${state.draft.title || tree.title}` : "New tree"}
        subtitle={
          <span className="badges">
            {tree ? <Badge tone={published ? "success" : "warning"}>{published ? `Published, version ${tree.current_version}` : `Draft, version ${tree.current_version}`}</Badge> : <Badge tone="warning">Not saved yet</Badge>}
            {dirty && <span className="muted">Unsaved changes</span>}
            {dangling.length > 0 && <span className="danger-text">{dangling.length} {dangling.length === 1 ? "answer leads" : "answers lead"} nowhere</span>}
          </span>
        }
        actions={
          <>
            <Button icon={<Undo2 size={16} aria-hidden />} disabled={state.past.length === 0} onClick={() => dispatch({ type: "undo" })} aria-keyshortcuts="Control+Z">
              Undo
            </Button>
            <Button icon={<Redo2 size={16} aria-hidden />} disabled={state.future.length === 0} onClick={() => dispatch({ type: "redo" })} aria-keyshortcuts="Control+Shift+Z">
              Redo
            </Button>
            <Button icon={<Save size={16} aria-hidden />} busy={saving === "draft"} disabled={saving !== null} onClick={() => void save("draft")}>
              {published ? "Save as draft (unpublish)" : "Save draft"}
            </Button>
            <Button variant="primary" icon={<Send size={16} aria-hidden />} busy={saving === "published"} disabled={saving !== null} onClick={() => void save("published")}>
              {published ? "Publish changes" : "Publish"}
            </Button>
          </>
        }
      />
      {notice && <Alert tone="success" title={notice} />}
      {error instanceof ApiError && error.status === 412 && !conflict && (
        <Alert
          tone="warning"
          title="Not saved: someone else saved this tree since you opened it"
          action={
            <Button size="sm" onClick={() => setConflict(lastTry)}>
              Choose what to keep
            </Button>
          }
        />
      )}
      {error !== null && !(error instanceof ApiError && error.status === 412) && (
        <ProblemAlert error={error} title={error instanceof ApiError && error.status === 422 ? "The tree was not saved: fix the marked steps" : undefined} />
      )}
      {placed.tree.length > 0 && (
        <Alert tone="danger" title="Problems with the tree itself">
          <ul className="alert-list">
            {placed.tree.map((p) => (
              <li key={p.detail}>{p.detail}</li>
            ))}
          </ul>
        </Alert>
      )}
      <MetaFields draft={state.draft} dispatch={dispatch} placed={placed} />
      <div className="tree-layout">
        <TreeGraph definition={def} label={`${state.draft.title || "New tree"}, being edited`} selected={state.selected} onSelect={(sid) => sid && dispatch({ type: "select", id: sid })} placed={placed} draggable />
        <aside className="card tree-side" aria-label="The selected step">
          {node ? <NodeForm key={node.id} node={node} state={state} dispatch={dispatch} placed={placed} editing={editing} /> : <p className="muted">Select a step in the picture to edit it.</p>}
        </aside>
      </div>
      {conflict && (
        <ConflictDialog
          treeId={tree!.id}
          onReload={async () => {
            const { data, response } = await api.GET("/api/v1/trees/{id}", { params: { path: { id: tree!.id } } });
            dispatch({ type: "load", draft: draftOf(data!) });
            setTree(data!);
            setEtag(response.headers.get("ETag") ?? "");
            setProblems(data!.problems);
            setError(null);
            setConflict(null);
          }}
          onOverwrite={async () => {
            const { response } = await api.GET("/api/v1/trees/{id}", { params: { path: { id: tree!.id } } });
            const theirs = response.headers.get("ETag") ?? "";
            setConflict(null);
            await save(conflict, theirs);
          }}
          onClose={() => setConflict(null)}
        />
      )}
      {blocker.state === "blocked" && (
        <Dialog
          open
          title="Leave without saving?"
          description="Your changes to this tree are not saved. They are lost if you leave."
          onClose={() => blocker.reset()}
          footer={
            <>
              <Button onClick={() => blocker.reset()}>Stay and keep editing</Button>
              <Button variant="danger" onClick={() => blocker.proceed()}>
                Leave and lose the changes
              </Button>
            </>
          }
        >
          <p className="muted">Save a draft first to keep them: a draft can be saved at any time.</p>
        </Dialog>
      )}
    </main>
  );
}

const META_FIELDS = ["title", "category", "tags", "description"];
const parseTags = (text: string) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

function MetaFields({ draft, dispatch, placed }: { draft: Draft; dispatch(a: Action): void; placed: Placed }) {
  const issue = (field: string) => placed.tree.find((p) => p.field === field)?.detail;
  // Open at first while the tree has no title or category, and whenever the server has a
  // problem with one of these fields; otherwise the author opens and closes it.
  const [open, setOpen] = useState(() => !draft.title || !draft.category);
  const flagged = placed.tree.some((p) => META_FIELDS.some((f) => p.field === f || p.field.startsWith(`${f}.`)));
  useEffect(() => {
    if (flagged) setOpen(true);
  }, [flagged]);
  // The tags as typed (a trailing comma, a space inside a tag), kept until they mean other tags
  // than the draft has: after an undo, say.
  const [tagText, setTagText] = useState(draft.tags.join(", "));
  useEffect(() => {
    setTagText((text) => (parseTags(text).join("\n") === draft.tags.join("\n") ? text : draft.tags.join(", ")));
  }, [draft.tags]);
  return (
    <details className="card meta" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="card-title">Tree details: title, category, tags</summary>
      <div className="meta-grid">
        <TextInput label="Title" required maxLength={200} value={draft.title} onChange={(e) => dispatch({ type: "meta", patch: { title: e.target.value } })} error={issue("title")} placeholder="e.g. Outlook won't start" />
        <TextInput label="Category" required maxLength={100} value={draft.category} onChange={(e) => dispatch({ type: "meta", patch: { category: e.target.value } })} error={issue("category")} placeholder="e.g. Email" />
        <TextInput
          label="Tags"
          hint="Separated by commas"
          value={tagText}
          onChange={(e) => {
            setTagText(e.target.value);
            dispatch({ type: "meta", patch: { tags: parseTags(e.target.value) } });
          }}
        />
        <TextArea label="Description" rows={2} maxLength={4000} value={draft.description} onChange={(e) => dispatch({ type: "meta", patch: { description: e.target.value } })} placeholder="What symptoms this tree covers" />
      </div>
    </details>
  );
}

function NodeForm({ node, state, dispatch, placed, editing }: { node: TreeNode; state: EditorState; dispatch(a: Action): void; placed: Placed; editing: RefObject<boolean> }) {
  const def = state.draft.definition;
  const [addKind, setAddKind] = useState<NodeType>("action");
  const issue = (field: string) => fieldIssue(placed, node.id, field);
  const others = def.nodes.filter((n) => n.id !== node.id);
  const exists = (id: string) => def.nodes.some((n) => n.id === id);
  // A problem the form has no field for is shown above it, so that none goes unseen.
  const onFields = new Set(["text", "type", "next", "help", "options", ...(node.options ?? []).flatMap((_, i) => [`options.${i}.label`, `options.${i}.next`])]);
  const whole = placed.byNode.get(node.id)?.filter((i) => !onFields.has(i.field)) ?? [];
  // After a step is chosen in the picture, or the button pressed has gone with what it did
  // (New … here, Remove, Make this the start), go on from the step's heading rather than from
  // the top of the page. Not when the editor opens: that would scroll a phone past the picture.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!editing.current) return;
    const at = document.activeElement;
    if (!at || at === document.body || at.closest(".react-flow__node")) heading.current?.focus();
  }, [editing, node.id, node.type, def.root, node.options?.length]);
  const targetLabel = (n: TreeNode) => `${KIND_LABEL[n.type]}: ${n.text ? (n.text.length > 50 ? `${n.text.slice(0, 47)}…` : n.text) : n.id}`;
  const targets = (current: string) => (
    <>
      <option value="">{current && !exists(current) ? `Removed step “${current}”: choose another` : "Choose the next step…"}</option>
      {others.map((n) => (
        <option key={n.id} value={n.id}>
          {targetLabel(n)}
        </option>
      ))}
    </>
  );
  return (
    <div className="stack node-form">
      <div className="node-form-head">
        <h2 className="card-title" ref={heading} tabIndex={-1}>
          Step <code>{node.id}</code>
          {def.root === node.id && <Badge tone="accent">Start</Badge>}
        </h2>
      </div>
      {whole.map((i) => (
        <p key={i.detail} className="field-error">
          {i.detail}
        </p>
      ))}
      <Select label="Kind" value={node.type} onChange={(e) => dispatch({ type: "kind", id: node.id, kind: e.target.value as NodeType })} error={issue("type")}>
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_LABEL[k]}
          </option>
        ))}
      </Select>
      <TextArea
        label={node.type === "question" ? "Question" : node.type === "action" ? "Instruction" : "Outcome"}
        rows={3}
        maxLength={4000}
        value={node.text}
        onChange={(e) => dispatch({ type: "text", id: node.id, field: "text", value: e.target.value })}
        error={issue("text")}
      />
      <TextArea label="Help" hint="Optional detail shown under it" rows={2} maxLength={4000} value={node.help ?? ""} onChange={(e) => dispatch({ type: "text", id: node.id, field: "help", value: e.target.value })} error={issue("help")} />

      {node.type === "question" && (
        <fieldset className="fieldset">
          <legend className="field-label">Answers</legend>
          {issue("options") && <p className="field-error">{issue("options")}</p>}
          <ol className="answers">
            {(node.options ?? []).map((o, i) => (
              <li key={o.id} className={`answer${exists(o.next) ? "" : " is-dangling"}`}>
                <TextInput label={`Answer ${i + 1}`} value={o.label} maxLength={500} onChange={(e) => dispatch({ type: "option", id: node.id, index: i, patch: { label: e.target.value } })} error={issue(`options.${i}.label`)} />
                <Select
                  label={`Answer ${i + 1} leads to`}
                  value={exists(o.next) ? o.next : ""}
                  onChange={(e) => dispatch({ type: "option", id: node.id, index: i, patch: { next: e.target.value } })}
                  error={issue(`options.${i}.next`) ?? (exists(o.next) ? undefined : o.next ? `It led to “${o.next}”, which was removed` : "It leads nowhere yet")}
                >
                  {targets(o.next)}
                </Select>
                <div className="answer-actions">
                  {!exists(o.next) && (
                    <Button size="sm" icon={<Plus size={14} aria-hidden />} onClick={() => dispatch({ type: "addNode", kind: addKind, from: { id: node.id, index: i } })}>
                      New {KIND_LABEL[addKind].toLowerCase()} here
                    </Button>
                  )}
                  <Button size="sm" variant="ghost" icon={<Trash2 size={14} aria-hidden />} onClick={() => dispatch({ type: "removeOption", id: node.id, index: i })} aria-label={`Remove answer ${i + 1}`}>
                    Remove
                  </Button>
                </div>
              </li>
            ))}
          </ol>
          <Button size="sm" icon={<Plus size={14} aria-hidden />} onClick={() => dispatch({ type: "addOption", id: node.id })}>
            Add an answer
          </Button>
        </fieldset>
      )}
      {node.type === "action" && (
        <>
          <Select label="Then" value={exists(node.next ?? "") ? node.next : ""} onChange={(e) => dispatch({ type: "next", id: node.id, next: e.target.value })} error={issue("next") ?? (exists(node.next ?? "") ? undefined : "It leads nowhere yet")}>
            {targets(node.next ?? "")}
          </Select>
          {!exists(node.next ?? "") && (
            <Button size="sm" icon={<Plus size={14} aria-hidden />} onClick={() => dispatch({ type: "addNode", kind: addKind, from: { id: node.id } })}>
              New {KIND_LABEL[addKind].toLowerCase()} after this
            </Button>
          )}
        </>
      )}
      {(node.type === "question" || node.type === "action") && (
        <Select label="New steps are" value={addKind} onChange={(e) => setAddKind(e.target.value as NodeType)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </Select>
      )}
      <div className="node-form-foot">
        {def.root !== node.id && <Button onClick={() => dispatch({ type: "root", id: node.id })}>Make this the start</Button>}
        <Button variant="ghost" icon={<Trash2 size={16} aria-hidden />} disabled={def.nodes.length <= 1} onClick={() => dispatch({ type: "removeNode", id: node.id })}>
          Remove this step
        </Button>
        <Button variant="ghost" icon={<Plus size={16} aria-hidden />} onClick={() => dispatch({ type: "addNode", kind: addKind })}>
          Add an unlinked step
        </Button>
      </div>
    </div>
  );
}

/** Someone else saved since this author opened the tree (412): theirs, or mine over it. */
function ConflictDialog({ treeId, onReload, onOverwrite, onClose }: { treeId: string; onReload(): Promise<void>; onOverwrite(): Promise<void>; onClose(): void }) {
  const [busy, setBusy] = useState<null | "reload" | "overwrite">(null);
  const [error, setError] = useState<unknown>(null);
  const run = (which: "reload" | "overwrite", f: () => Promise<void>) => async () => {
    setBusy(which);
    try {
      await f();
    } catch (err) {
      setError(err);
      setBusy(null);
    }
  };
  return (
    <Dialog
      open
      title="Someone else saved this tree"
      description="Another author saved a newer version since you opened it. Your changes were not saved."
      onClose={onClose}
      footer={
        <>
          <Button busy={busy === "reload"} onClick={() => void run("reload", onReload)()}>
            Reload their version
          </Button>
          <Button variant="danger" busy={busy === "overwrite"} onClick={() => void run("overwrite", onOverwrite)()}>
            Overwrite with mine
          </Button>
        </>
      }
    >
      <div className="stack">
        {error !== null && <Alert tone="danger" title={describeError(error)} />}
        <p>
          <strong>Reload their version</strong> drops your changes and opens theirs. <strong>Overwrite with mine</strong> saves yours as a new version on top of theirs; theirs stays in the{" "}
          <Link to={`/trees/${treeId}`} target="_blank">
            history
          </Link>
          .
        </p>
      </div>
    </Dialog>
  );
}
