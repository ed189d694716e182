import { Bot, ClipboardList, GitBranch, Inbox, LogOut, Menu, PlayCircle, Users, X } from "lucide-react";
import { useEffect, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { atLeast, useAuth, useMe } from "../auth/AuthProvider";
import { StreamProvider } from "../stream/StreamProvider";
import { ProblemAlert } from "../ui/Alert";
import { Logo } from "../ui/Logo";

export function Layout() {
  const me = useMe();
  const { signOut } = useAuth();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signOutError, setSignOutError] = useState<unknown>(null);
  const location = useLocation();
  const engineer = atLeast(me.user.role, "engineer");
  useEffect(() => {
    setMenuOpen(false);
  }, [location.pathname]);

  const shell = (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Logo />
        <button type="button" className="icon-btn" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((o) => !o)}>
          {menuOpen ? <X size={20} aria-hidden /> : <Menu size={20} aria-hidden />}
          <span className="sr-only">Menu</span>
        </button>
      </header>
      <aside id="sidebar" className={`sidebar${menuOpen ? " open" : ""}`}>
        <div className="sidebar-brand">
          <Logo />
        </div>
        <nav aria-label="Main" className="nav">
          <NavLink to="/trees" className="nav-link">
            {engineer ? <GitBranch size={18} aria-hidden /> : <PlayCircle size={18} aria-hidden />} {engineer ? "Trees" : "Start a session"}
          </NavLink>
          <NavLink to="/sessions" end className="nav-link">
            <ClipboardList size={18} aria-hidden /> My sessions
          </NavLink>
          <NavLink to="/assistant" className="nav-link">
            <Bot size={18} aria-hidden /> Assistant
          </NavLink>
          {engineer && (
            <NavLink to="/queue" className="nav-link">
              <Inbox size={18} aria-hidden /> Escalation queue
            </NavLink>
          )}
          {me.user.role === "admin" && (
            <NavLink to="/admin/users" className="nav-link">
              <Users size={18} aria-hidden /> Users
            </NavLink>
          )}
        </nav>
        <div className="sidebar-foot">
          <NavLink to="/profile" className="who">
            <span className="sr-only">Your profile: </span>
            <span className="avatar" aria-hidden>
              {initials(me.user.name)}
            </span>
            <span className="who-text">
              <span className="who-name">{me.user.name}</span>
              <span className="who-meta">
                {me.account.name} · {me.user.role}
              </span>
            </span>
          </NavLink>
          {signOutError !== null && <ProblemAlert error={signOutError} title="You are still signed in: signing out failed" />}
          <button
            type="button"
            className="btn btn-ghost btn-sm signout"
            onClick={() => {
              setSignOutError(null);
              signOut().catch(setSignOutError);
            }}
          >
            <LogOut size={16} aria-hidden /> Sign out
          </button>
        </div>
      </aside>
      <div className="content">
        <Outlet />
      </div>
    </div>
  );
  return engineer ? <StreamProvider>{shell}</StreamProvider> : shell;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? "") + (parts.length > 1 ? (parts.at(-1)?.[0] ?? "") : "")).toUpperCase();
}
