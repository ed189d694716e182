package export

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

func fixture() (domain.Session, domain.Definition) {
	def := domain.Definition{Root: "power", Nodes: []domain.Node{
		{ID: "power", Type: domain.NodeQuestion, Text: `Is the printer's <script>alert("x")</script> light on?`, Options: []domain.Option{
			{ID: "on", Label: "Yes, steady green", Next: "spool"},
			{ID: "off", Label: "No", Next: "plug"},
		}},
		{ID: "plug", Type: domain.NodeAction, Text: "Reseat the power cable", Next: "power"},
		{ID: "spool", Type: domain.NodeAction, Text: "Restart the spooler: net stop spooler && net start spooler", Next: "done"},
		{ID: "done", Type: domain.NodeSolution, Text: "Printing works"},
	}}
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	done := start.Add(12*time.Minute + 30*time.Second)
	s := domain.Session{
		TreeTitle: "Printer offline", TreeVersion: 3, Status: domain.SessionResolved, CurrentNode: "done",
		TicketRef: "T-1042", Customer: "Contoso * Ltd", Asset: "PRN-2F-01", Notes: "User on floor 2",
		ResolutionNote: "1. Spooler was stuck; restarted it & printed a test page (&nbsp; was in the queue name).", StartedAt: start, CompletedAt: &done,
		Steps: []domain.Step{
			{Seq: 1, Kind: domain.StepAnswer, NodeID: "power", OptionID: "off", ToNodeID: "plug", CreatedAt: start.Add(40 * time.Second)},
			{Seq: 2, Kind: domain.StepRevert, NodeID: "power", ToNodeID: "power", CreatedAt: start.Add(time.Minute)},
			{Seq: 3, Kind: domain.StepAnswer, NodeID: "power", OptionID: "on", ToNodeID: "spool", Note: "light was on after all; checked Credential Manager > Windows Credentials", CreatedAt: start.Add(2 * time.Minute)},
			{Seq: 4, Kind: domain.StepCustom, NodeID: "spool", ToNodeID: "spool", Text: "Cleared 14 stuck jobs in <b>queue</b>", CreatedAt: start.Add(8 * time.Minute)},
			{Seq: 5, Kind: domain.StepAnswer, NodeID: "spool", ToNodeID: "done", CreatedAt: start.Add(11 * time.Minute)},
		},
	}
	return s, def
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	s, def := fixture()
	report := NewReport(s, def, "Val Viewer", time.Time{})
	for format, ext := range map[Format]string{Markdown: "md", Text: "txt", HTML: "html", JSON: "json"} {
		t.Run(string(format), func(t *testing.T) {
			got, contentType, err := Render(report, format)
			if err != nil {
				t.Fatal(err)
			}
			if contentType == "" {
				t.Error("no content type")
			}
			path := filepath.Join("testdata", "session."+ext)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/export -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s:\n%s", format, path, got)
			}
		})
	}
}

func TestUserTextIsInert(t *testing.T) {
	t.Parallel()
	s, def := fixture()
	report := NewReport(s, def, "Val <i>Viewer</i>", time.Time{})
	html, _, err := Render(report, HTML)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"<script>", "<b>", "<i>"} {
		if strings.Contains(html, raw) {
			t.Errorf("html output contains %s unescaped", raw)
		}
	}
	// In markdown a backslash makes "<" plain text, so no inline HTML can start.
	md, _, _ := Render(report, Markdown)
	if m := regexp.MustCompile(`(^|[^\\])<`).FindString(md); m != "" {
		t.Errorf("markdown output has an unescaped %q", m)
	}
	got, _, _ := Render(report, JSON)
	var back Report
	if err := json.Unmarshal([]byte(got), &back); err != nil || back.Steps[0].Question != def.Nodes[0].Text {
		t.Errorf("JSON does not round-trip the node text exactly: %v", err)
	}
}

// Instructions are full of ">" and "&": ticket notes in markdown and text carry them as
// written, never as HTML entities that PSAs which do not render HTML would show literally.
func TestNotesKeepInstructionsReadable(t *testing.T) {
	t.Parallel()
	s, def := fixture()
	report := NewReport(s, def, "Val", time.Time{})
	for _, format := range []Format{Markdown, Text} {
		got, _, _ := Render(report, format)
		if !strings.Contains(got, "Credential Manager > Windows Credentials") || !strings.Contains(got, "net stop spooler && net start spooler") {
			t.Errorf("%s lost the instructions as written:\n%s", format, got)
		}
		if strings.Contains(got, "&gt;") || strings.Contains(got, "&amp;") {
			t.Errorf("%s carries HTML entities:\n%s", format, got)
		}
	}
	md, _, _ := Render(report, Markdown)
	if !strings.Contains(md, "\n1\\. Spooler was stuck") || !strings.Contains(md, `\&nbsp;`) {
		t.Errorf("a resolution starting with \"1.\" would become a list, or an entity would be decoded:\n%s", md)
	}
}

func TestReportSteps(t *testing.T) {
	t.Parallel()
	s, def := fixture()
	r := NewReport(s, def, "Val", time.Time{})
	want := []struct {
		kind, answer, took string
		custom             bool
	}{
		{"answer", "No", "40s", false},
		{"revert", "Went back to this step", "20s", false},
		{"answer", "Yes, steady green", "1m 00s", false},
		{"custom", "", "6m 00s", true},
		{"answer", "Done", "3m 00s", false},
	}
	for i, w := range want {
		st := r.Steps[i]
		if st.N != i+1 || st.Kind != w.kind || st.Answer != w.answer || st.Took != w.took || st.Custom != w.custom {
			t.Errorf("step %d = %+v, want %+v", i+1, st, w)
		}
	}
	if r.Duration != "12m 30s" || r.Outcome != "resolved" {
		t.Errorf("duration %q outcome %q", r.Duration, r.Outcome)
	}
	if _, _, err := Render(r, "pdf"); err == nil {
		t.Error("an unknown format rendered")
	}
}
