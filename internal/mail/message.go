// Package mail tells engineers about new handoffs by email: the message, an outbox worker that
// sends queued messages with retries, and the SMTP sender.
package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
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
{{if .Transcript}}The technician asked the assistant ({{len .Transcript}} messages):
{{range gist .Transcript}}- {{.}}
{{end}}{{with .Assessment}}
The assistant's last answer:
{{clip .}}
{{end}}{{else}}What was tried:
{{range $i, $s := .Steps}}{{inc $i}}. {{if eq (print $s.Kind) "custom"}}[custom] {{end}}{{$s.Text}}{{if $s.Answer}} -> {{$s.Answer}}{{end}}{{if $s.Note}} (note: {{$s.Note}}){{end}}
{{else}}nothing recorded
{{end}}{{end}}{{end}}
Claim it: {{.Link}}
`

const htmlBody = `<p><strong>{{.Handoff.Summary}}</strong></p>
<p>Priority: <strong>{{.Handoff.Priority}}</strong></p>
{{with .Handoff.Context}}<ul>{{if .TreeTitle}}<li>Tree: {{.TreeTitle}} (version {{.TreeVersion}})</li>{{end}}{{if .TicketRef}}<li>Ticket: {{.TicketRef}}</li>{{end}}{{if .Customer}}<li>Customer: {{.Customer}}</li>{{end}}{{if .Asset}}<li>Asset: {{.Asset}}</li>{{end}}{{if .Technician}}<li>Technician: {{.Technician}}{{if .TimeSpent}}, after {{.TimeSpent}}{{end}}</li>{{end}}</ul>
{{if .Transcript}}<p>The technician asked the assistant ({{len .Transcript}} messages):</p>
<ul>{{range gist .Transcript}}<li>{{.}}</li>{{end}}</ul>{{with .Assessment}}
<p>The assistant's last answer:</p>
<blockquote>{{clip .}}</blockquote>{{end}}{{else}}<p>What was tried:</p>
<ol>{{range .Steps}}<li>{{if eq (print .Kind) "custom"}}<em>(custom)</em> {{end}}{{.Text}}{{if .Answer}} → <strong>{{.Answer}}</strong>{{end}}{{if .Note}}<br><small>Note: {{.Note}}</small>{{end}}</li>{{else}}<li>nothing recorded</li>{{end}}</ol>{{end}}{{end}}
<p><a href="{{.Link}}">Claim it</a></p>
`

// gistTurns is how many of the technician's messages an email quotes: the first, which states
// the problem, and the latest ones, which say where it stands; gistRunes bounds each.
const (
	gistTurns = 4
	gistRunes = 240
)

// gist is what the technician told the assistant, in brief.
func gist(transcript []domain.AIMessage) []string {
	var said []string
	for _, m := range transcript {
		if m.Role == "user" {
			said = append(said, clip(m.Content))
		}
	}
	if len(said) > gistTurns {
		said = append(said[:1], append([]string{"…"}, said[len(said)-gistTurns+1:]...)...)
	}
	return said
}

// clip shortens text to gistRunes on one line.
func clip(text string) string {
	one := strings.Join(strings.Fields(text), " ")
	if r := []rune(one); len(r) > gistRunes {
		return string(r[:gistRunes-1]) + "…"
	}
	return one
}

var (
	funcs = map[string]any{"inc": func(i int) int { return i + 1 }, "gist": gist, "clip": clip}
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

const digestText = `{{len .}} new escalations for you arrived in a short time; rather than an email each, here they are together:
{{range $i, $n := .}}
{{inc $i}}. {{$n.Subject}}
   {{$n.Link}}
{{end}}`

const digestHTML = `<p>{{len .}} new escalations for you arrived in a short time; rather than an email each, here they are together:</p>
<ol>{{range .}}<li><a href="{{.Link}}">{{.Subject}}</a></li>{{end}}</ol>
`

var (
	digestTexts = texttemplate.Must(texttemplate.New("digest").Funcs(funcs).Parse(digestText))
	digestHTMLs = htmltemplate.Must(htmltemplate.New("digest").Funcs(funcs).Parse(digestHTML))
)

// Digest is one email for the notifications of a flood, in the order they were queued; each
// line is its handoff's own subject and link.
func Digest(batch []dbq.Notification) (Message, error) {
	var text, html bytes.Buffer
	if err := digestTexts.Execute(&text, batch); err != nil {
		return Message{}, fmt.Errorf("render text digest: %w", err)
	}
	if err := digestHTMLs.Execute(&html, batch); err != nil {
		return Message{}, fmt.Errorf("render html digest: %w", err)
	}
	return Message{Subject: fmt.Sprintf("%d new escalations", len(batch)), Text: text.String(), HTML: html.String()}, nil
}
