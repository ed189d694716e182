import { useQueryClient } from "@tanstack/react-query";
import { Archive, Download, History, LineChart, Pencil, Play, RotateCcw } from "lucide-react";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api, api } from "../app/services";
import { atLeast, useMe } from "../auth/AuthProvider";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { BackLink, PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { formatDateTime } from "../ui/time";
import { useNow } from "../ui/useNow";
import { StartDialog } from "../sessions/StartDialog";
import { AnalyticsPanel } from "./AnalyticsPanel";
import { fileName, toFile } from "./file";
import { KIND_LABEL, type NodeStat } from "./flow";
import type { Definition } from "./model";
import { placeProblems } from "./problems";
import { treeKey, useTree } from "./queries";
import { TreeGraph } from "./TreeGraph";
import { Tabs, tabPanel } from "../ui/Tabs";

type VersionInfo = components["schemas"]["TreeVersionInfo"];

const statusTone = { draft: "warning", published: "success", archived: "neutral" } as const;

/** The side panel's tabs. */
type Panel = "details" | "history" | "analytics";

/** A tree as a picture, at any of its versions, with its history and (for engineers) analytics. */
export function TreePage() {
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const me = useMe();
  const engineer = atLeast(me.user.role, "engineer");
  const navigate = useNavigate();
  const client = useQueryClient();
  const now = useNow();
  const tree = useTree(id);
  const current = tree.data?.tree;
  const asked = Number.parseInt(params.get("version") ?? "", 10);
  const version = Number.isFinite(asked) && current && asked !== current.current_version ? asked : undefined;
  const old = $api.useQuery("get", "/api/v1/trees/{id}/versions/{version}", { params: { path: { id, version: version ?? 1 } } }, { enabled: version !== undefined, staleTime: Number.POSITIVE_INFINITY });
  const versions = $api.useQuery("get", "/api/v1/trees/{id}/versions", { params: { path: { id } } });
  const [from] = useState(() => new Date(now - 30 * 86_400_000).toISOString());
  const analytics = $api.useQuery("get", "/api/v1/trees/{id}/analytics", { params: { path: { id }, query: { from } } }, { enabled: engineer });
  const [panel, setPanel] = useState<Panel>("details");
  const [overlay, setOverlay] = useState(engineer);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<null | "start" | "archive" | "restore">(null);

  const definition: Definition | undefined = version !== undefined ? old.data?.definition : current?.definition;
  const shownVersion = version ?? current?.current_version ?? 1;
  const versionAnalytics = analytics.data?.versions.find((v) => v.version === shownVersion);
  const stats = useMemo(
    () => (overlay && versionAnalytics ? new Map<string, NodeStat>(versionAnalytics.nodes.map((n) => [n.node_id, { visits: n.visits, medianSeconds: n.median_seconds }])) : undefined),
    [overlay, versionAnalytics],
  );
  const exits = useMemo(() => (overlay && versionAnalytics ? new Map(versionAnalytics.exit_nodes.map((e) => [e.node_id, e.count])) : undefined), [overlay, versionAnalytics]);
  const placed = useMemo(() => (definition && version === undefined ? placeProblems(current?.problems, definition) : undefined), [definition, version, current?.problems]);

  if (tree.isPending) return <Loading label="Loading the tree…" />;
  if (tree.error)
    return (
      <main className="page" id="main">
        <ProblemAlert error={tree.error} title="This tree cannot be shown" />
      </main>
    );
  const t = tree.data.tree;
  const node = definition?.nodes.find((n) => n.id === selected);

  const exportFile = () => {
    if (!definition) return;
    const blob = new Blob([JSON.stringify(toFile(t, shownVersion, definition), null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName(t.title, shownVersion);
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <main className="page page-wide" id="main">
      <PageHeader
        eyebrow={
          <BackLink to="/trees">Trees</BackLink>
        }
        title={t.title}
        subtitle={
          <span className="badges">
            <Badge tone={statusTone[t.status]}>{t.status[0]!.toUpperCase() + t.status.slice(1)}</Badge>
            <Badge tone="neutral">{t.category}</Badge>
            {t.tags.map((tag) => (
              <span key={tag} className="tag">
                {tag}
              </span>
            ))}
          </span>
        }
        actions={
          <>
            {t.status === "published" && version === undefined && (
              <Button variant="primary" icon={<Play size={16} aria-hidden />} onClick={() => setDialog("start")}>
                Start a session
              </Button>
            )}
            {engineer && version === undefined && t.status !== "archived" && (
              <Link to={`/trees/${t.id}/edit`} className="btn btn-secondary btn-md">
                <Pencil size={16} aria-hidden /> Edit
              </Link>
            )}
            {engineer && version !== undefined && (
              <Button icon={<RotateCcw size={16} aria-hidden />} onClick={() => setDialog("restore")}>
                Restore this version
              </Button>
            )}
            <Button icon={<Download size={16} aria-hidden />} onClick={exportFile} disabled={!definition}>
              Export
            </Button>
            {me.user.role === "admin" && t.status !== "archived" && (
              <Button variant="ghost" icon={<Archive size={16} aria-hidden />} onClick={() => setDialog("archive")}>
                Archive
              </Button>
            )}
          </>
        }
      />
      {t.description && <p className="lead muted">{t.description}</p>}
      <div className="toolbar tree-toolbar">
        <label className="filter">
          <span className="filter-label">Version</span>
          <select
            className="input select"
            value={shownVersion}
            onChange={(e) => {
              const v = Number(e.target.value);
              setParams(v === t.current_version ? {} : { version: String(v) }, { replace: true });
              setSelected(null);
            }}
          >
            {(versions.data?.items.map((v) => v.version) ?? [t.current_version]).map((v) => (
              <option key={v} value={v}>
                Version {v}
                {v === t.current_version ? " (current)" : ""}
              </option>
            ))}
          </select>
        </label>
        {engineer && (
          <label className="filter filter-check">
            <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} />
            <span>Show visits and time on the picture</span>
          </label>
        )}
      </div>
      {version !== undefined && (
        <Alert tone="info" title={`Version ${version}, read-only`}>
          <p>
            This is an earlier version. Sessions that ran on it keep it. <Link to={`/trees/${t.id}`}>Back to the current version</Link>
          </p>
        </Alert>
      )}
      {placed && placed.byNode.size + placed.tree.length > 0 && (
        <Alert tone="warning" title="This draft cannot be published yet">
          <p>The marked steps have problems. Open the editor to fix them.</p>
        </Alert>
      )}
      <div className="tree-layout">
        {definition ? (
          <TreeGraph
            definition={definition}
            label={`${t.title}, version ${shownVersion}`}
            selected={selected}
            onSelect={(nid) => {
              setSelected(nid);
              if (nid) setPanel("details");
            }}
            stats={stats}
            exits={exits}
            placed={placed}
          />
        ) : (
          old.error ? <ProblemAlert error={old.error} title={`Version ${version} cannot be shown`} /> : <Loading label="Loading the version…" />
        )}
        <aside className="card tree-side">
          <Tabs<Panel>
            label="About this tree"
            name="tree"
            tabs={[
              { id: "details", label: "Step" },
              {
                id: "history",
                label: (
                  <>
                    <History size={14} aria-hidden /> History
                  </>
                ),
              },
              ...(engineer
                ? [
                    {
                      id: "analytics" as const,
                      label: (
                        <>
                          <LineChart size={14} aria-hidden /> Analytics
                        </>
                      ),
                    },
                  ]
                : []),
            ]}
            current={panel}
            onSelect={setPanel}
          />
          <div {...tabPanel("tree", panel)} className="tab-panel">
            {panel === "details" &&
              (node ? (
                <div className="stack">
                  <Badge tone="accent">{KIND_LABEL[node.type]}</Badge>
                  <p className="node-detail-text">{node.text || <em>No text yet</em>}</p>
                  {node.help && <p className="muted">{node.help}</p>}
                  {node.options && node.options.length > 0 && (
                    <ul className="option-list">
                      {node.options.map((o) => (
                        <li key={o.id}>
                          <strong>{o.label || "(no label yet)"}</strong> → {definition?.nodes.find((n) => n.id === o.next)?.text ?? <span className="danger-text">nowhere</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                  {placed?.byNode.get(node.id)?.map((i) => (
                    <p key={i.detail} className="field-error">
                      {i.detail}
                    </p>
                  ))}
                </div>
              ) : (
                <p className="muted">Select a step in the picture (or Tab to it and press Enter) to read it here.</p>
              ))}
            {panel === "history" &&
              (versions.error ? (
                <ProblemAlert error={versions.error} title="The history cannot be shown" />
              ) : versions.isPending ? (
                <Loading label="Loading the history…" />
              ) : (
                <VersionHistory items={versions.data.items} current={t.current_version} shown={shownVersion} treeId={t.id} />
              ))}
            {panel === "analytics" &&
              definition &&
              (analytics.error ? (
                <ProblemAlert error={analytics.error} title="The analytics cannot be shown" />
              ) : analytics.isPending ? (
                <Loading label="Counting the sessions…" />
              ) : (
                <AnalyticsPanel analytics={versionAnalytics} definition={definition} now={now} />
              ))}
          </div>
        </aside>
      </div>
      {dialog === "start" && <StartDialog tree={t} onClose={() => setDialog(null)} />}
      {dialog === "archive" && (
        <ArchiveDialog
          treeId={t.id}
          title={t.title}
          onClose={() => setDialog(null)}
          onDone={async () => {
            await client.invalidateQueries({ queryKey: ["get", "/api/v1/trees"] });
            await client.invalidateQueries({ queryKey: treeKey(t.id) });
            navigate("/trees");
          }}
        />
      )}
      {dialog === "restore" && version !== undefined && definition && (
        <RestoreDialog
          tree={t}
          etag={tree.data.etag}
          version={version}
          definition={definition}
          onClose={() => setDialog(null)}
          onDone={async () => {
            await client.invalidateQueries({ queryKey: treeKey(t.id) });
            await client.invalidateQueries({ queryKey: ["get", "/api/v1/trees/{id}/versions"] });
            setParams({}, { replace: true });
            setDialog(null);
          }}
        />
      )}
    </main>
  );
}


function VersionHistory({ items, current, shown, treeId }: { items: VersionInfo[]; current: number; shown: number; treeId: string }) {
  return (
    <ol className="history">
      {items.map((v) => {
        const c = v.changes;
        const said = c
          ? [c.added.length && `${c.added.length} added`, c.changed.length && `${c.changed.length} changed`, c.removed.length && `${c.removed.length} removed`, c.root_changed && "new start"]
              .filter(Boolean)
              .join(", ") || "no change to the steps"
          : "first version";
        return (
          <li key={v.version} className={`history-item${v.version === shown ? " is-shown" : ""}`}>
            <div className="history-head">
              <strong>Version {v.version}</strong>
              {v.version === current && <Badge tone="success">Current</Badge>}
            </div>
            <p className="muted small">
              {v.created_by_name ?? "Someone"} · <time dateTime={v.created_at}>{formatDateTime(v.created_at)}</time>
            </p>
            <p className="small">{said}</p>
            {v.version !== shown && (
              <Link to={v.version === current ? `/trees/${treeId}` : `/trees/${treeId}?version=${v.version}`} className="small">
                Open version {v.version}
              </Link>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Archiving keeps every session readable: say which, so that an admin archives knowingly. */
function ArchiveDialog({ treeId, title, onClose, onDone }: { treeId: string; title: string; onClose(): void; onDone(): Promise<void> }) {
  const sessions = $api.useQuery("get", "/api/v1/sessions", { params: { query: { tree_id: treeId, limit: 5 } } });
  const archive = $api.useMutation("delete", "/api/v1/trees/{id}", { onSuccess: onDone });
  const total = sessions.data?.total ?? 0;
  return (
    <Dialog
      open
      title={`Archive “${title}”?`}
      description="Technicians can no longer start sessions on it, and it leaves the list of trees."
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Keep it</Button>
          <Button variant="danger" busy={archive.isPending} onClick={() => archive.mutate({ params: { path: { id: treeId } } })}>
            Archive
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={archive.error} />
        {sessions.isPending ? (
          <Loading label="Counting its sessions…" />
        ) : sessions.error ? (
          <ProblemAlert error={sessions.error} title="Its sessions could not be counted. Archiving keeps every one of them readable all the same." />
        ) : total === 0 ? (
          <p>No session ran on this tree.</p>
        ) : (
          <>
            <p>
              {total} {total === 1 ? "session ran" : "sessions ran"} on it. {total === 1 ? "It stays" : "They all stay"} readable and exportable, on the version {total === 1 ? "it" : "each"} ran:
            </p>
            <ul className="archive-list">
              {sessions.data!.items.map((s) => (
                <li key={s.id}>
                  <Link to={`/sessions/${s.id}`}>{s.ticket_ref || s.customer || `Session of ${formatDateTime(s.started_at)}`}</Link> <span className="muted small">version {s.tree_version}, {s.status.replace("_", " ")}</span>
                </li>
              ))}
              {total > 5 && <li className="muted">and {total - 5} more</li>}
            </ul>
          </>
        )}
      </div>
    </Dialog>
  );
}

/** "Restore this version" saves its definition as a new version; history is never rewritten. */
function RestoreDialog({ tree, etag, version, definition, onClose, onDone }: { tree: components["schemas"]["Tree"]; etag: string; version: number; definition: Definition; onClose(): void; onDone(): Promise<void> }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const restore = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.PUT("/api/v1/trees/{id}", {
        params: { path: { id: tree.id }, header: { "If-Match": etag } },
        body: { title: tree.title, description: tree.description, category: tree.category, tags: tree.tags, status: tree.status === "published" ? "published" : "draft", definition },
      });
      await onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      title={`Restore version ${version}?`}
      description={`Its definition becomes version ${tree.current_version + 1}. Version ${tree.current_version} and everything before it stay in the history.`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} onClick={() => void restore()}>
            Restore as version {tree.current_version + 1}
          </Button>
        </>
      }
    >
      <ProblemAlert error={error} />
    </Dialog>
  );
}
