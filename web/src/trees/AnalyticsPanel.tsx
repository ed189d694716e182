import type { components } from "../../../gen/ts/schema";
import type { Definition } from "./model";

type VersionAnalytics = components["schemas"]["TreeVersionAnalytics"];

const DAYS = 30;

/** The last DAYS UTC days, oldest first, as YYYY-MM-DD. */
export function lastDays(now: number, days = DAYS): string[] {
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

const pct = (n: number, of: number) => (of === 0 ? "—" : `${Math.round((100 * n) / of)} %`);

/**
 * What the sessions on one version did over the last 30 days: the outcome rates, a chart of
 * outcomes per day, and where sessions stopped. The graph beside it shows visits and time.
 */
export function AnalyticsPanel({ analytics, definition, now }: { analytics: VersionAnalytics | undefined; definition: Definition; now: number }) {
  if (!analytics || analytics.started === 0) {
    return <p className="muted">No session ran on this version in the last {DAYS} days.</p>;
  }
  const a = analytics;
  const finished = a.resolved + a.escalated + a.abandoned;
  const text = new Map(definition.nodes.map((n) => [n.id, n.text]));
  return (
    <div className="stack">
      <dl className="rates">
        <div className="rate rate-resolved">
          <dt>Resolved</dt>
          <dd>{pct(a.resolved, finished)}</dd>
        </div>
        <div className="rate rate-escalated">
          <dt>Escalated</dt>
          <dd>{pct(a.escalated, finished)}</dd>
        </div>
        <div className="rate rate-abandoned">
          <dt>Abandoned</dt>
          <dd>{pct(a.abandoned, finished)}</dd>
        </div>
      </dl>
      <p className="muted small">
        {a.started} sessions started, {finished} finished, {a.in_progress} in progress.
      </p>
      <OutcomeChart daily={a.daily} days={lastDays(now)} />
      <div>
        <h3 className="subhead">Where sessions stop</h3>
        {a.exit_nodes.length === 0 ? (
          <p className="muted small">Every session that ended here reached a solution or an escalation.</p>
        ) : (
          <ol className="exits">
            {a.exit_nodes.slice(0, 6).map((e) => (
              <li key={e.node_id}>
                <span className="exit-count">{e.count}</span> {text.get(e.node_id) ?? e.node_id}
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}

/** Stacked bars of outcomes per day; the table under it says the same in words. */
function OutcomeChart({ daily, days }: { daily: VersionAnalytics["daily"]; days: string[] }) {
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const rows = days.map((day) => byDay.get(day) ?? { day, started: 0, resolved: 0, escalated: 0, abandoned: 0 });
  const top = Math.max(1, ...rows.map((r) => r.started));
  const w = 300;
  const h = 90;
  const bar = w / rows.length;
  const y = (n: number) => (n / top) * (h - 4);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby="chart-caption" preserveAspectRatio="none">
        {rows.map((r, i) => {
          const other = r.started - r.resolved - r.escalated - r.abandoned;
          let base = h;
          return (
            <g key={r.day} transform={`translate(${i * bar + 1} 0)`}>
              {(
                [
                  ["resolved", r.resolved],
                  ["escalated", r.escalated],
                  ["abandoned", r.abandoned],
                  ["open", other],
                ] as const
              ).map(([kind, n]) => {
                if (n <= 0) return null;
                base -= y(n);
                return <rect key={kind} className={`bar bar-${kind}`} x={0} y={base} width={Math.max(1, bar - 2)} height={y(n)} />;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption id="chart-caption" className="chart-caption">
        Outcomes of the sessions started each day, {days[0]} to {days.at(-1)}:{" "}
        <span className="key key-resolved">resolved</span> <span className="key key-escalated">escalated</span> <span className="key key-abandoned">abandoned</span>{" "}
        <span className="key key-open">in progress</span>
      </figcaption>
      <details className="chart-table">
        <summary>As a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Started</th>
              <th scope="col">Resolved</th>
              <th scope="col">Escalated</th>
              <th scope="col">Abandoned</th>
            </tr>
          </thead>
          <tbody>
            {rows
              .filter((r) => r.started > 0)
              .map((r) => (
                <tr key={r.day}>
                  <th scope="row">{r.day}</th>
                  <td>{r.started}</td>
                  <td>{r.resolved}</td>
                  <td>{r.escalated}</td>
                  <td>{r.abandoned}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
