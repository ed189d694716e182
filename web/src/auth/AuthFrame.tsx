import type { ReactNode } from "react";
import { Logo } from "../ui/Logo";

/** The sign-in and sign-up pages' frame: the product on one side, the form on the other. */
export function AuthFrame({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-aside">
        <Logo link={false} />
        <div className="auth-pitch">
          <p className="auth-pitch-title">Troubleshooting your technicians can follow, escalations your engineers see live.</p>
          <ul>
            <li>Guided sessions on your own decision trees, recorded step by step</li>
            <li>Escalations land in the queue with everything that was tried</li>
            <li>Claim, resolve, and the technician sees it at once</li>
          </ul>
        </div>
      </div>
      <main className="auth-main" id="main">
        <div className="auth-card">
          <div className="auth-logo">
            <Logo link={false} />
          </div>
          <h1 className="auth-title">{title}</h1>
          <p className="auth-subtitle">{subtitle}</p>
          {children}
        </div>
      </main>
    </div>
  );
}
