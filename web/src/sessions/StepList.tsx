import { TimelineStep } from "../ui/Timeline";
import { type Definition, describeSteps, type Session } from "./model";

/** The steps so far, oldest first, with their answers, notes and the time each took. */
export function StepList({ session, definition }: { session: Session; definition: Definition | undefined }) {
  const steps = describeSteps(session, definition);
  return (
    <section className="card" aria-labelledby="steps-title">
      <h2 id="steps-title" className="card-title">
        Steps so far <span className="muted">({steps.length})</span>
      </h2>
      {steps.length === 0 ? (
        <p className="muted">Nothing yet: answer the first question.</p>
      ) : (
        <ol className="timeline">
          {steps.map((s) => (
            <TimelineStep key={s.seq} kind={s.kind} title={s.title} answer={s.answer} note={s.note} at={s.at} took={s.took} />
          ))}
        </ol>
      )}
    </section>
  );
}
