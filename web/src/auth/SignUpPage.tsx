import { type FormEvent, useState } from "react";
import { Link, Navigate } from "react-router";
import { ApiError } from "../api/errors";
import { ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { TextInput } from "../ui/Field";
import { AuthFrame } from "./AuthFrame";
import { useAuth } from "./AuthProvider";
import { MIN_PASSWORD, NewPasswordInput } from "./NewPasswordInput";

/** The message the API gave for one field, to show under it. */
function fieldError(error: unknown, pointer: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.problem.errors?.find((e) => e.pointer === pointer)?.detail;
}

export function SignUpPage() {
  const { state, signUp } = useAuth();
  const [form, setForm] = useState({ account_name: "", name: "", email: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (state.status === "signed-in") return <Navigate to="/" replace />;

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signUp({ ...form, email: form.email.trim() });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Create your MSP's account" subtitle="You become its first admin, and can invite engineers and technicians next.">
      <form className="stack" onSubmit={submit} noValidate>
        <ProblemAlert error={error} />
        <TextInput label="Company name" name="account_name" autoComplete="organization" required value={form.account_name} onChange={set("account_name")} error={fieldError(error, "/account_name")} />
        <TextInput label="Your name" name="name" autoComplete="name" required value={form.name} onChange={set("name")} error={fieldError(error, "/name")} />
        <TextInput label="Work email" type="email" name="email" autoComplete="email" required value={form.email} onChange={set("email")} error={fieldError(error, "/email")} />
        <NewPasswordInput
          label="Password"
          name="password"
          value={form.password}
          onChange={set("password")}
          hint={`At least ${MIN_PASSWORD} characters. A few unrelated words are easy to remember and hard to guess.`}
          error={fieldError(error, "/password")}
        />
        <Button type="submit" variant="primary" size="lg" busy={busy} disabled={!form.account_name || !form.name || !form.email || form.password.length < MIN_PASSWORD}>
          Create account
        </Button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </AuthFrame>
  );
}
