import { keepPreviousData, useQueryClient } from "@tanstack/react-query";
import { Check, Copy, KeyRound, UserPlus } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { ApiError } from "../api/errors";
import { useAuth, useMe } from "../auth/AuthProvider";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Badge } from "../ui/Badge";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Select, TextInput } from "../ui/Field";
import { PageHeader } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";
import { formatDateTime } from "../ui/time";
import { generatePassword } from "./password";

type Role = components["schemas"]["Role"];
type User = components["schemas"]["User"];

const ROLES: { value: Role; label: string; about: string }[] = [
  { value: "viewer", label: "Technician", about: "runs published trees, uses the assistant, escalates" },
  { value: "engineer", label: "Engineer", about: "also authors trees and works the escalation queue" },
  { value: "admin", label: "Admin", about: "also manages users and archives trees" },
];
const usersKey = ["get", "/api/v1/users"] as const;

/** The account's team: who has which role, who can still sign in. */
export function UsersPage() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const role = (params.get("role") ?? "") as Role | "";
  const active = params.get("active") ?? "true";
  const users = $api.useQuery(
    "get",
    "/api/v1/users",
    { params: { query: { limit: 200, ...(role && { role }), ...(active !== "any" && { active: active === "true" }) } } },
    { placeholderData: keepPreviousData },
  );
  const [adding, setAdding] = useState(false);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  return (
    <main className="page" id="main">
      <PageHeader
        title="Users"
        subtitle={`The people of ${me.account.name}.`}
        actions={
          <Button variant="primary" icon={<UserPlus size={16} aria-hidden />} onClick={() => setAdding(true)}>
            Add a user
          </Button>
        }
      />
      <form className="filters" aria-label="Filter the users" onSubmit={(e) => e.preventDefault()}>
        <label className="filter">
          <span className="filter-label">Role</span>
          <select className="input select" value={role} onChange={(e) => set("role", e.target.value)}>
            <option value="">Every role</option>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span className="filter-label">Status</span>
          <select className="input select" value={active} onChange={(e) => set("active", e.target.value === "true" ? "" : e.target.value)}>
            <option value="true">Active</option>
            <option value="false">Deactivated</option>
            <option value="any">Everyone</option>
          </select>
        </label>
      </form>
      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : users.error ? (
        <ProblemAlert error={users.error} />
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <caption className="sr-only">Users of {me.account.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <UserRow key={u.id} user={u} self={u.id === me.user.id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {adding && <AddUserDialog onClose={() => setAdding(false)} />}
    </main>
  );
}

type Patch = components["schemas"]["UserUpdate"];

/** What a change does to the admin who makes it on themselves, asked before it is made. */
function selfWarning(patch: Patch): string | null {
  if (patch.active === false) return "You will be signed out at once, here and everywhere, and cannot sign in again until another admin reactivates you.";
  if (patch.role && patch.role !== "admin") return "You will no longer manage users or archive trees, and you leave this page.";
  return null;
}

function UserRow({ user, self }: { user: User; self: boolean }) {
  const client = useQueryClient();
  const { reload } = useAuth();
  const [asking, setAsking] = useState<Patch | null>(null);
  const [resetting, setResetting] = useState(false);
  const change = $api.useMutation("patch", "/api/v1/users/{id}", {
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: usersKey });
      // A change to oneself changes what this console may show.
      if (self) await reload();
    },
  });
  const patch = (body: Patch) => {
    if (change.isPending) return;
    if (self && selfWarning(body)) setAsking(body);
    else change.mutate({ params: { path: { id: user.id } }, body });
  };
  const lastAdmin = change.error instanceof ApiError && change.error.status === 409;
  return (
    <>
      <tr>
        <td>
          <span className="cell-name">{user.name}</span>
          <span className="muted small">{user.email}</span>
        </td>
        <td>
          <label className="sr-only" htmlFor={`role-${user.id}`}>
            Role of {user.name}
          </label>
          <select id={`role-${user.id}`} className="input select input-sm" value={user.role} disabled={!user.active} aria-busy={change.isPending || undefined} onChange={(e) => patch({ role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </td>
        <td>{user.active ? <Badge tone="success">Active</Badge> : <Badge tone="neutral">Deactivated</Badge>}</td>
        <td className="muted small">
          <time dateTime={user.created_at}>{formatDateTime(user.created_at)}</time>
        </td>
        <td className="cell-actions">
          {user.active ? (
            <Button size="sm" variant="ghost" busy={change.isPending && change.variables?.body.active === false} onClick={() => patch({ active: false })} aria-label={`Deactivate ${user.name}`}>
              Deactivate
            </Button>
          ) : (
            <Button size="sm" busy={change.isPending} onClick={() => patch({ active: true })} aria-label={`Reactivate ${user.name}`}>
              Reactivate
            </Button>
          )}
          {user.active && !self && (
            <Button size="sm" variant="ghost" icon={<KeyRound size={14} aria-hidden />} onClick={() => setResetting(true)} aria-label={`Set a new password for ${user.name}`}>
              New password
            </Button>
          )}
          {self && <span className="muted small">you</span>}
        </td>
      </tr>
      {change.error !== null && (
        <tr>
          <td colSpan={5}>
            {lastAdmin ? (
              <Alert tone="warning" title={`${user.name} is the last active admin of this account`}>
                <p>An account always keeps one admin who can manage its users. Make someone else an admin first, then change {user.name}.</p>
              </Alert>
            ) : (
              <ProblemAlert error={change.error} />
            )}
          </td>
        </tr>
      )}
      {asking && (
        <Dialog
          open
          size="sm"
          title={asking.active === false ? "Deactivate yourself?" : "Give up your admin role?"}
          description={selfWarning(asking)}
          onClose={() => setAsking(null)}
          footer={
            <>
              <Button onClick={() => setAsking(null)}>Cancel</Button>
              <Button
                variant="danger"
                onClick={() => {
                  change.mutate({ params: { path: { id: user.id } }, body: asking });
                  setAsking(null);
                }}
              >
                {asking.active === false ? "Deactivate me" : "Change my role"}
              </Button>
            </>
          }
        >
          <p className="muted">Another admin can undo this; you cannot.</p>
        </Dialog>
      )}
      {resetting && <NewPasswordDialog user={user} onClose={() => setResetting(false)} />}
    </>
  );
}

/** Sets a generated password for a user who lost theirs: shown once, their sign-ins revoked. */
function NewPasswordDialog({ user, onClose }: { user: User; onClose(): void }) {
  const [password] = useState(generatePassword);
  const set = $api.useMutation("patch", "/api/v1/users/{id}");
  if (set.isSuccess) return <PasswordOnce title={`A new password for ${user.name}`} email={user.email} password={password} onClose={onClose} />;
  return (
    <Dialog
      open
      size="sm"
      title={`Set a new password for ${user.name}?`}
      description="Their current password stops working, and they are signed out everywhere. The new one is shown once."
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={set.isPending} onClick={() => set.mutate({ params: { path: { id: user.id } }, body: { password } })}>
            Set a new password
          </Button>
        </>
      }
    >
      <ProblemAlert error={set.error} />
    </Dialog>
  );
}

/** A password to hand over, shown once: focus goes to its Copy button. */
function PasswordOnce({ title, email, password, onClose }: { title: string; email: string; password: string; onClose(): void }) {
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const copyButton = useRef<HTMLButtonElement>(null);
  useEffect(() => copyButton.current?.focus(), []);
  return (
    <Dialog
      open
      title={title}
      description="Give it to them now: it is shown once, and they can change it on their profile."
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <div className="stack">
        <dl className="facts">
          <dt>Email</dt>
          <dd>{email}</dd>
          <dt>Password</dt>
          <dd>
            <code className="secret">{password}</code>
          </dd>
        </dl>
        <Button
          ref={copyButton}
          icon={copy === "copied" ? <Check size={16} aria-hidden /> : <Copy size={16} aria-hidden />}
          onClick={() =>
            void navigator.clipboard
              .writeText(password)
              .then(() => setCopy("copied"))
              .catch(() => setCopy("failed"))
          }
        >
          {copy === "copied" ? "Copied" : "Copy the password"}
        </Button>
        <span className="sr-only" role="status">
          {copy === "copied" ? "The password is copied." : ""}
        </span>
        {copy === "failed" && <Alert tone="warning" title="This browser did not allow copying: select the password and copy it by hand." />}
      </div>
    </Dialog>
  );
}

/** Creates a user with a generated first password, shown once to hand over. */
function AddUserDialog({ onClose }: { onClose(): void }) {
  const client = useQueryClient();
  const [form, setForm] = useState({ name: "", email: "", role: "viewer" as Role });
  const [password] = useState(generatePassword);
  const create = $api.useMutation("post", "/api/v1/users", { onSuccess: () => client.invalidateQueries({ queryKey: usersKey }) });
  const created = create.data;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  if (created) return <PasswordOnce title={`${created.name} can sign in`} email={created.email} password={password} onClose={onClose} />;
  return (
    <Dialog
      open
      title="Add a user"
      description="They sign in with their email and a first password that is shown once you add them."
      onClose={onClose}
      onSubmit={() => create.mutate({ body: { name: form.name.trim(), email: form.email.trim(), role: form.role, password } })}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending} disabled={!form.name.trim() || !form.email.trim()}>
            Add user
          </Button>
        </>
      }
    >
      <div className="stack">
        <ProblemAlert error={create.error} />
        <TextInput label="Name" required maxLength={200} value={form.name} onChange={set("name")} autoFocus />
        <TextInput label="Email" type="email" required maxLength={254} value={form.email} onChange={set("email")} />
        <Select label="Role" value={form.role} onChange={set("role")} hint={ROLES.find((r) => r.value === form.role)!.about}>
          {ROLES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </Select>
      </div>
    </Dialog>
  );
}
