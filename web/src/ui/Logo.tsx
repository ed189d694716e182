import { Link } from "react-router";

function Mark() {
  return (
    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden focusable="false">
      <rect width="32" height="32" rx="8" className="logo-mark" />
      <path d="M9 22V10h7.5a4 4 0 0 1 0 8H13l6 4" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** The product's name and mark; a link home unless it stands where there is no home yet. */
export function Logo({ link = true }: { link?: boolean }) {
  if (!link) {
    return (
      <span className="logo">
        <Mark />
        <span className="logo-text">ResolutionFlow</span>
      </span>
    );
  }
  return (
    <Link to="/" className="logo" aria-label="ResolutionFlow, home">
      <Mark />
      <span className="logo-text">ResolutionFlow</span>
    </Link>
  );
}
