import DOMPurify from "dompurify";
import { Check, Code2, Copy, Download, Eye } from "lucide-react";
import { useEffect, useState } from "react";
import type { components } from "../../../gen/ts/schema";
import { $api } from "../app/services";
import { ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Loading } from "../ui/Spinner";
import { Tabs, tabPanel } from "../ui/Tabs";

type Format = components["schemas"]["ExportFormat"];

const FORMATS: { value: Format; label: string; ext: string }[] = [
  { value: "markdown", label: "Markdown", ext: "md" },
  { value: "text", label: "Plain text", ext: "txt" },
  { value: "html", label: "HTML", ext: "html" },
  { value: "json", label: "JSON", ext: "json" },
];

/** The file name of the notes: after the ticket when there is one. */
export function exportName(ticket: string, startedAt: string, ext: string): string {
  const base = ticket.trim().replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || `session-${startedAt.slice(0, 10)}`;
  return `${base}-notes.${ext}`;
}

/**
 * The session as ticket notes, in each format the PSA takes: shown as it will arrive, copied
 * or downloaded. HTML is shown rendered, sanitized by DOMPurify, with its source a click away.
 */
export function ExportPanel({ sessionId, ticket, startedAt }: { sessionId: string; ticket: string; startedAt: string }) {
  const [format, setFormat] = useState<Format>("markdown");
  const [source, setSource] = useState(false);
  const [copied, setCopied] = useState(false);
  const [copyError, setCopyError] = useState<string | null>(null);
  const notes = $api.useQuery("post", "/api/v1/sessions/{id}/export", { params: { path: { id: sessionId } }, body: { format } });
  useEffect(() => {
    setCopied(false);
    setCopyError(null);
  }, [format]);
  const content = notes.data?.content ?? "";
  const ext = FORMATS.find((f) => f.value === format)!.ext;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(content);
      setCopied(true);
      setCopyError(null);
    } catch {
      setCopyError("The browser did not allow copying: select the text and copy it by hand.");
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([content], { type: notes.data?.content_type ?? "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = exportName(ticket, startedAt, ext);
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="card" aria-labelledby="export-title">
      <div className="card-head">
        <h2 id="export-title" className="card-title">
          Ticket notes
        </h2>
        <Tabs<Format> label="Format" name="export" tabs={FORMATS.map((f) => ({ id: f.value, label: f.label }))} current={format} onSelect={setFormat} />
      </div>
      <div {...tabPanel("export", format)} className="export-preview" tabIndex={0}>
        {notes.isPending ? (
          <Loading label="Rendering the notes…" />
        ) : notes.error ? (
          <ProblemAlert error={notes.error} />
        ) : format === "html" && !source ? (
          // DOMPurify keeps the markup and drops anything that could run: the notes quote node
          // text that authors wrote, and that text never executes here.
          <div className="export-html" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(content) }} />
        ) : (
          <pre className="export-text">
            {content}
          </pre>
        )}
      </div>
      <div className="export-actions">
        <Button variant="primary" size="sm" icon={copied ? <Check size={14} aria-hidden /> : <Copy size={14} aria-hidden />} onClick={() => void copy()} disabled={!content}>
          {copied ? "Copied" : "Copy"}
        </Button>
        <Button size="sm" icon={<Download size={14} aria-hidden />} onClick={download} disabled={!content}>
          Download {exportName(ticket, startedAt, ext)}
        </Button>
        {format === "html" && (
          <Button size="sm" variant="ghost" icon={source ? <Eye size={14} aria-hidden /> : <Code2 size={14} aria-hidden />} onClick={() => setSource((s) => !s)}>
            {source ? "Show rendered" : "Show source"}
          </Button>
        )}
        <span className="sr-only" role="status">
          {copied ? `The ${format} notes are copied to the clipboard.` : ""}
        </span>
        {copyError && <span className="field-error">{copyError}</span>}
      </div>
    </section>
  );
}
