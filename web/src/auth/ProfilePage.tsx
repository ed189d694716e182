import { type FormEvent, useState } from "react";
import { $api } from "../app/services";
import { ApiError } from "../api/errors";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { TextInput } from "../ui/Field";
import { PageHeader } from "../ui/PageHeader";
import { atLeast, useAuth, useMe } from "./AuthProvider";
import { MIN_PASSWORD, NewPasswordInput } from "./NewPasswordInput";

/** The signed-in user's own name, email preference and password. */
export function ProfilePage() {
  const me = useMe();
  return (
    <main className="page" id="main">
      <PageHeader title="Profile" subtitle={`${me.user.email} · ${me.account.name}`} />
      <div className="profile-layout">
        <NameAndEmails />
        <PasswordForm />
      </div>
    </main>
  );
}

function NameAndEmails() {
  const me = useMe();
  const { reload } = useAuth();
  const [name, setName] = useState(me.user.name);
  const [saved, setSaved] = useState<string | null>(null);
  const update = $api.useMutation("patch", "/api/v1/auth/me", {
    onSuccess: async (_, vars) => {
      await reload();
      setSaved(vars.body.escalation_emails === undefined ? "Your name is saved." : vars.body.escalation_emails ? "You will get an email for each new escalation." : "You will get no more escalation emails.");
    },
  });
  const engineer = atLeast(me.user.role, "engineer");
  return (
    <form
      className="card stack"
      aria-labelledby="you-title"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        update.mutate({ body: { name: name.trim() } });
      }}
    >
      <h2 id="you-title" className="card-title">
        You
      </h2>
      {saved && <Alert tone="success" title={saved} />}
      <ProblemAlert error={update.error} />
      <TextInput label="Name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} hint="Engineers and technicians see it on escalations." />
      <Button type="submit" variant="primary" busy={update.isPending && update.variables?.body.name !== undefined} disabled={!name.trim() || name.trim() === me.user.name}>
        Save name
      </Button>
      <label className="toggle">
        <input
          type="checkbox"
          checked={me.user.escalation_emails}
          disabled={update.isPending}
          onChange={(e) => {
            setSaved(null);
            update.mutate({ body: { escalation_emails: e.target.checked } });
          }}
        />
        <span>
          <strong>Email me about new escalations</strong>
          <span className="muted small">{engineer ? "One email per handoff, with what was already tried and a link to claim it." : "Sent to engineers and admins; it applies to you if your role changes."}</span>
        </span>
      </label>
    </form>
  );
}

function PasswordForm() {
  const { changePassword } = useAuth();
  const [form, setForm] = useState({ current: "", next: "", again: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const mismatch = form.again !== "" && form.again !== form.next;
  const wrongCurrent = error instanceof ApiError ? error.problem.errors?.find((f) => f.pointer === "/current_password")?.detail : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await changePassword(form.current, form.next);
      setForm({ current: "", next: "", again: "" });
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card stack" aria-labelledby="password-title" onSubmit={submit} noValidate>
      <h2 id="password-title" className="card-title">
        Password
      </h2>
      {done && (
        <Alert tone="success" title="Your password is changed.">
          <p>You stay signed in here. Every other sign-in, in other tabs, browsers and devices, has ended.</p>
        </Alert>
      )}
      {!wrongCurrent && <ProblemAlert error={error} />}
      <TextInput label="Current password" type="password" autoComplete="current-password" required value={form.current} onChange={set("current")} error={wrongCurrent} />
      <NewPasswordInput label="New password" value={form.next} onChange={set("next")} hint={`At least ${MIN_PASSWORD} characters.`} />
      <TextInput label="New password again" type="password" autoComplete="new-password" required value={form.again} onChange={set("again")} error={mismatch ? "The two new passwords differ" : undefined} />
      <Button type="submit" variant="primary" busy={busy} disabled={!form.current || form.next.length < MIN_PASSWORD || form.next !== form.again}>
        Change password
      </Button>
    </form>
  );
}
