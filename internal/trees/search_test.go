package trees

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTSQuery(t *testing.T) {
	t.Parallel()
	for want, words := range map[string][]string{
		"vpn & disconn:*": {"vpn", "disconn"},
		"printer & of":    {"printer", "of"},
		"dns:*":           {"dns"},
	} {
		if got := tsquery(words); got != want {
			t.Errorf("tsquery(%q) = %q, want %q", words, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	body := "VPN drops\nUsers on <b>FortiClient</b> lose the tunnel\nvpn\nCheck the keepalive interval of the VPN gateway and the printers"
	cases := []struct {
		name  string
		words []string
		want  string
	}{
		{"best line wins", []string{"keepalive", "vpn"}, "Check the <mark>keepalive</mark> interval of the <mark>VPN</mark> gateway and the printers"},
		{"escaped", []string{"fortic"}, "Users on &lt;b&gt;<mark>FortiClient</mark>&lt;/b&gt; lose the tunnel"},
		{"stem", []string{"printer", "gatew"}, "Check the keepalive interval of the VPN <mark>gateway</mark> and the <mark>printers</mark>"},
		{"no match falls back to the title", []string{"zzz"}, "VPN drops"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := snippet(body, c.words); got != c.want {
				t.Errorf("snippet = %q\nwant      %q", got, c.want)
			}
		})
	}
	long := "start " + strings.Repeat("filler ", 60) + "target word here " + strings.Repeat("tail ", 60)
	got := snippet(long, []string{"target"})
	if len(got) > snippetLen+60 || !strings.Contains(got, "<mark>target</mark>") || !strings.HasPrefix(got, "…") {
		t.Errorf("long line snippet = %q", got)
	}
}

// Lines without spaces (paths, URLs) and multi-byte text must cut cleanly, never panic.
func TestSnippetCutsAnyLine(t *testing.T) {
	t.Parallel()
	lines := []string{
		"T\n" + strings.Repeat("x-", 100) + "vpn",
		`Delete C:\Users\` + strings.Repeat("a", 80) + `\AppData\Local\Microsoft\Outlook\` + strings.Repeat("b", 60) + `\outlook.ost`,
		strings.Repeat("é", 150) + " vpn " + strings.Repeat("日本", 100),
		strings.Repeat("word ", 30) + "vpn " + strings.Repeat("ü", 200),
	}
	for _, body := range lines {
		got := snippet(body, []string{"vpn", "appdata"})
		if !utf8.ValidString(got) {
			t.Errorf("snippet of %.30q… is not valid UTF-8: %q", body, got)
		}
		if !strings.Contains(strings.ToLower(got), "<mark>") {
			t.Errorf("snippet of %.30q… lost the match: %q", body, got)
		}
	}
}
