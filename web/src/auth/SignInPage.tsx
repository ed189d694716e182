import { type FormEvent, useState } from "react";
import { Link, Navigate, useSearchParams } from "react-router";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { TextInput } from "../ui/Field";
import { Loading } from "../ui/Spinner";
import { AuthFrame } from "./AuthFrame";
import { useAuth } from "./AuthProvider";

/** Where to go after signing in: only a page of this console, never another site. */
export function safeNext(next: string | null, origin = window.location.origin): string {
  if (!next?.startsWith("/")) return "/";
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

export function SignInPage() {
  const { state, signIn } = useAuth();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get("next"));

  if (state.status === "loading") return <Loading label="Checking your sign-in…" />;
  if (state.status === "signed-in") return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Sign in" subtitle={next.startsWith("/escalations/") ? "Sign in to open the escalation you were sent." : "Welcome back. Sign in to your MSP's workspace."}>
      <form className="stack" onSubmit={submit} noValidate>
        {state.status === "signed-out" && state.reason && !error && <Alert tone="info" title={state.reason} />}
        <ProblemAlert error={error} />
        <TextInput label="Email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextInput label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <Button type="submit" variant="primary" size="lg" busy={busy} disabled={!email || !password}>
          Sign in
        </Button>
      </form>
      <p className="auth-switch">
        New to ResolutionFlow? <Link to="/signup">Create an account for your MSP</Link>
      </p>
    </AuthFrame>
  );
}
