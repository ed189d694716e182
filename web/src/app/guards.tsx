import { ShieldAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Link, Navigate, Outlet, useLocation, useRouteError } from "react-router";
import { describeError } from "../api/errors";
import { atLeast, type Role, useAuth, useMe } from "../auth/AuthProvider";
import { EmptyState } from "../ui/PageHeader";
import { Loading } from "../ui/Spinner";

/** Signed-out visitors go to sign in, and come back here afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === "loading") return <Loading label="Signing you in…" />;
  if (state.status === "signed-out") {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

export function RequireRole({ role }: { role: Role }) {
  const me = useMe();
  if (!atLeast(me.user.role, role)) {
    return (
      <main className="page" id="main">
        <EmptyState icon={<ShieldAlert size={28} />} title={`This page is for ${role === "admin" ? "admins" : "engineers"}`}>
          <p>
            You are signed in as {me.user.role === "admin" || me.user.role === "engineer" ? "an" : "a"} {me.user.role}. Ask an admin of {me.account.name} if you need it.
          </p>
          <Link className="btn btn-secondary btn-md" to="/trees">
            Start a session
          </Link>
        </EmptyState>
      </main>
    );
  }
  return <Outlet />;
}

export function NotFound() {
  return (
    <main className="page" id="main">
      <EmptyState title="There is no such page">
        <p>The link may be old, or mistyped.</p>
        <Link className="btn btn-secondary btn-md" to="/">
          Go to the start
        </Link>
      </EmptyState>
    </main>
  );
}

export function RouteError() {
  const error = useRouteError();
  return (
    <main className="page" id="main">
      <EmptyState title="This page failed to load">
        <p>{describeError(error)}</p>
        <button type="button" className="btn btn-primary btn-md" onClick={() => window.location.reload()}>
          Reload
        </button>
      </EmptyState>
    </main>
  );
}
