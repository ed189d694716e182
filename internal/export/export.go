// Package export renders a guided session as ticket notes an MSP pastes into its PSA, in
// markdown, plain text, HTML or JSON. Rendering is pure: the same session gives the same notes.
package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Format is an export format.
type Format string

const (
	Markdown Format = "markdown"
	Text     Format = "text"
	HTML     Format = "html"
	JSON     Format = "json"
)

// Report is what ticket notes say about a session.
type Report struct {
	Tree           string     `json:"tree"`
	Version        int32      `json:"version"`
	TicketRef      string     `json:"ticket_ref,omitempty"`
	Customer       string     `json:"customer,omitempty"`
	Asset          string     `json:"asset,omitempty"`
	Technician     string     `json:"technician"`
	StartedAt      time.Time  `json:"started_at"`
	CompletedAt    *time.Time `json:"completed_at,omitempty"`
	Duration       string     `json:"duration"`
	Outcome        string     `json:"outcome"`
	Notes          string     `json:"notes,omitempty"`
	Steps          []Step     `json:"steps"`
	ResolutionNote string     `json:"resolution_note,omitempty"`
}

// Step is one numbered line of the notes.
type Step struct {
	N        int    `json:"n"`
	Kind     string `json:"kind"`
	Question string `json:"question"`
	Answer   string `json:"answer,omitempty"`
	Note     string `json:"note,omitempty"`
	Custom   bool   `json:"custom"`
	Took     string `json:"took"`
}

var outcomes = map[domain.SessionStatus]string{
	domain.SessionInProgress: "in progress",
	domain.SessionResolved:   "resolved",
	domain.SessionEscalated:  "escalated",
	domain.SessionAbandoned:  "abandoned",
}

// NewReport describes s, walked on def by technician. now ends the duration of a session still
// in progress.
func NewReport(s domain.Session, def domain.Definition, technician string, now time.Time) Report {
	end := now
	if s.CompletedAt != nil {
		end = *s.CompletedAt
	}
	r := Report{
		Tree: s.TreeTitle, Version: s.TreeVersion, TicketRef: s.TicketRef, Customer: s.Customer, Asset: s.Asset,
		Technician: technician, StartedAt: s.StartedAt.UTC(), CompletedAt: utc(s.CompletedAt),
		Duration: duration(end.Sub(s.StartedAt)), Outcome: outcomes[s.Status], Notes: s.Notes,
		ResolutionNote: s.ResolutionNote, Steps: []Step{},
	}
	prev := s.StartedAt
	for i, st := range s.Steps {
		node, _ := def.Node(st.NodeID)
		line := Step{N: i + 1, Kind: string(st.Kind), Question: node.Text, Note: st.Note, Took: duration(st.CreatedAt.Sub(prev))}
		switch st.Kind {
		case domain.StepAnswer:
			line.Answer = "Done"
			for _, o := range node.Options {
				if o.ID == st.OptionID {
					line.Answer = o.Label
				}
			}
		case domain.StepCustom:
			line.Question, line.Answer, line.Custom = st.Text, "", true
		case domain.StepRevert:
			line.Answer = "Went back to this step"
		}
		r.Steps = append(r.Steps, line)
		prev = st.CreatedAt
	}
	return r
}

// Render returns the notes in format and their content type.
func Render(r Report, format Format) (content, contentType string, err error) {
	switch format {
	case Markdown:
		return markdown(r), "text/markdown; charset=utf-8", nil
	case Text:
		return text(r), "text/plain; charset=utf-8", nil
	case HTML:
		var buf bytes.Buffer
		if err := htmlTemplate.Execute(&buf, r); err != nil {
			return "", "", fmt.Errorf("render html: %w", err)
		}
		return buf.String(), "text/html; charset=utf-8", nil
	case JSON:
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return "", "", fmt.Errorf("render json: %w", err)
		}
		return string(b), "application/json", nil
	}
	return "", "", domain.Errorf(domain.EInvalid, "unknown export format %q: use markdown, text, html or json", format)
}

func header(r Report) [][2]string {
	rows := [][2]string{{"Tree", fmt.Sprintf("%s (version %d)", r.Tree, r.Version)}}
	for _, f := range [][2]string{{"Ticket", r.TicketRef}, {"Customer", r.Customer}, {"Asset", r.Asset}} {
		if f[1] != "" {
			rows = append(rows, f)
		}
	}
	return append(rows,
		[2]string{"Technician", r.Technician},
		[2]string{"Started", r.StartedAt.Format("2006-01-02 15:04 UTC")},
		[2]string{"Duration", r.Duration},
		[2]string{"Outcome", r.Outcome},
	)
}

// markdownEscaper takes markdown's markup characters literally with backslash escapes (CommonMark
// allows one before any ASCII punctuation), so that a PSA that renders markdown shows the text
// as written, and one that does not shows it nearly so. "<" is escaped because it would start
// inline HTML; ">" is left alone: inside a line it is only text, and it is everywhere in
// instructions such as "Credential Manager > Windows Credentials".
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "#", `\#`, "|", `\|`, "<", `\<`,
)

// entity finds what a markdown renderer would decode as an HTML entity: "&amp;", "&#62;".
var entity = regexp.MustCompile(`&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// blockStart finds what would make a line a quote, a list item or a heading when it starts one.
var blockStart = regexp.MustCompile(`^([>+=-]|[0-9]{1,9}[.)])`)

func md(s string) string {
	s = markdownEscaper.Replace(strings.ReplaceAll(s, "\n", " "))
	return entity.ReplaceAllStringFunc(s, func(e string) string { return `\` + e })
}

// mdLine is md for text that begins a line.
func mdLine(s string) string {
	s = md(s)
	if m := blockStart.FindString(s); m != "" {
		return m[:len(m)-1] + `\` + m[len(m)-1:] + s[len(m):]
	}
	return s
}

func markdown(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Troubleshooting: %s\n\n", md(r.Tree))
	for _, h := range header(r) {
		fmt.Fprintf(&b, "- **%s:** %s\n", h[0], md(h[1]))
	}
	if r.Notes != "" {
		fmt.Fprintf(&b, "\n**Notes:** %s\n", md(r.Notes))
	}
	b.WriteString("\n### Steps\n\n")
	if len(r.Steps) == 0 {
		b.WriteString("No steps recorded.\n")
	}
	for _, s := range r.Steps {
		if s.Custom {
			fmt.Fprintf(&b, "%d. *(custom step)* %s (%s)\n", s.N, md(s.Question), s.Took)
		} else {
			fmt.Fprintf(&b, "%d. %s → **%s** (%s)\n", s.N, md(s.Question), md(s.Answer), s.Took)
		}
		if s.Note != "" {
			fmt.Fprintf(&b, "   - Note: %s\n", md(s.Note))
		}
	}
	if r.ResolutionNote != "" {
		fmt.Fprintf(&b, "\n### Resolution\n\n%s\n", mdLine(r.ResolutionNote))
	}
	return b.String()
}

func text(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "TROUBLESHOOTING: %s\n", r.Tree)
	for _, h := range header(r) {
		fmt.Fprintf(&b, "%-11s %s\n", h[0]+":", h[1])
	}
	if r.Notes != "" {
		fmt.Fprintf(&b, "Notes:      %s\n", r.Notes)
	}
	b.WriteString("\nSTEPS\n")
	if len(r.Steps) == 0 {
		b.WriteString("No steps recorded.\n")
	}
	for _, s := range r.Steps {
		if s.Custom {
			fmt.Fprintf(&b, "%d. [custom step] %s (%s)\n", s.N, s.Question, s.Took)
		} else {
			fmt.Fprintf(&b, "%d. %s -> %s (%s)\n", s.N, s.Question, s.Answer, s.Took)
		}
		if s.Note != "" {
			fmt.Fprintf(&b, "   Note: %s\n", s.Note)
		}
	}
	if r.ResolutionNote != "" {
		fmt.Fprintf(&b, "\nRESOLUTION\n%s\n", r.ResolutionNote)
	}
	return b.String()
}

// htmlTemplate escapes every value: a node text with <script> comes out as text.
var htmlTemplate = template.Must(template.New("notes").Funcs(template.FuncMap{"header": header}).Parse(
	`<section class="resolutionflow-notes">
<h2>Troubleshooting: {{.Tree}}</h2>
<dl>{{range header .}}
<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}
</dl>{{if .Notes}}
<p><strong>Notes:</strong> {{.Notes}}</p>{{end}}
<h3>Steps</h3>{{if not .Steps}}
<p>No steps recorded.</p>{{else}}
<ol>{{range .Steps}}
<li>{{if .Custom}}<em>(custom step)</em> {{.Question}}{{else}}{{.Question}} → <strong>{{.Answer}}</strong>{{end}} <small>({{.Took}})</small>{{if .Note}}<br>Note: {{.Note}}{{end}}</li>{{end}}
</ol>{{end}}{{if .ResolutionNote}}
<h3>Resolution</h3>
<p>{{.ResolutionNote}}</p>{{end}}
</section>
`))

func duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	if d < time.Hour {
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
