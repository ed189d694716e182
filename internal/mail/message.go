// Package mail tells engineers about new handoffs by email: the message, an outbox worker that
// sends queued messages with retries, and the SMTP sender.
package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Message is one rendered handoff email, the same for every recipient.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

type view struct {
	Handoff domain.Handoff
	Link    string
}

const textBody = `{{.Handoff.Summary}}

Priority: {{.Handoff.Priority}}
{{with .Handoff.Context}}{{if .TreeTitle}}Tree: {{.TreeTitle}} (version {{.TreeVersion}})
{{end}}{{if .TicketRef}}Ticket: {{.TicketRef}}
{{end}}{{if .Customer}}Customer: {{.Customer}}
{{end}}{{if .Asset}}Asset: {{.Asset}}
{{end}}{{if .Technician}}Technician: {{.Technician}}{{if .TimeSpent}}, after {{.TimeSpent}}{{end}}
{{end}}
What was tried:
{{range $i, $s := .Steps}}{{inc $i}}. {{if eq (print $s.Kind) "custom"}}[custom] {{end}}{{$s.Text}}{{if $s.Answer}} -> {{$s.Answer}}{{end}}{{if $s.Note}} (note: {{$s.Note}}){{end}}
{{else}}nothing recorded
{{end}}{{end}}
Claim it: {{.Link}}
`

const htmlBody = `<p><strong>{{.Handoff.Summary}}</strong></p>
<p>Priority: <strong>{{.Handoff.Priority}}</strong></p>
{{with .Handoff.Context}}<ul>{{if .TreeTitle}}<li>Tree: {{.TreeTitle}} (version {{.TreeVersion}})</li>{{end}}{{if .TicketRef}}<li>Ticket: {{.TicketRef}}</li>{{end}}{{if .Customer}}<li>Customer: {{.Customer}}</li>{{end}}{{if .Asset}}<li>Asset: {{.Asset}}</li>{{end}}{{if .Technician}}<li>Technician: {{.Technician}}{{if .TimeSpent}}, after {{.TimeSpent}}{{end}}</li>{{end}}</ul>
<p>What was tried:</p>
<ol>{{range .Steps}}<li>{{if eq (print .Kind) "custom"}}<em>(custom)</em> {{end}}{{.Text}}{{if .Answer}} → <strong>{{.Answer}}</strong>{{end}}{{if .Note}}<br><small>Note: {{.Note}}</small>{{end}}</li>{{else}}<li>nothing recorded</li>{{end}}</ol>{{end}}
<p><a href="{{.Link}}">Claim it</a></p>
`

var (
	funcs = map[string]any{"inc": func(i int) int { return i + 1 }}
	texts = texttemplate.Must(texttemplate.New("text").Funcs(funcs).Parse(textBody))
	htmls = htmltemplate.Must(htmltemplate.New("html").Funcs(funcs).Parse(htmlBody))
)

// Render makes the email about a new handoff; link opens it.
func Render(h domain.Handoff, link string) (Message, error) {
	v := view{Handoff: h, Link: link}
	var text, html bytes.Buffer
	if err := texts.Execute(&text, v); err != nil {
		return Message{}, fmt.Errorf("render text email: %w", err)
	}
	if err := htmls.Execute(&html, v); err != nil {
		return Message{}, fmt.Errorf("render html email: %w", err)
	}
	summary := strings.Join(strings.Fields(h.Summary), " ")
	if len([]rune(summary)) > 80 {
		summary = string([]rune(summary)[:79]) + "…"
	}
	return Message{
		Subject: fmt.Sprintf("[%s] Escalation: %s", strings.ToUpper(string(h.Priority)), summary),
		Text:    text.String(),
		HTML:    html.String(),
	}, nil
}
