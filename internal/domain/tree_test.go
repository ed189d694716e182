package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// small is a complete tree: a question leading to an action and a solution, the action to an
// escalation.
func small() Definition {
	return Definition{Root: "q", Nodes: []Node{
		{ID: "q", Type: NodeQuestion, Text: "Is it plugged in?", Options: []Option{
			{ID: "yes", Label: "Yes", Next: "restart"},
			{ID: "no", Label: "No", Next: "fixed"},
		}},
		{ID: "restart", Type: NodeAction, Text: "Restart it", Next: "esc"},
		{ID: "fixed", Type: NodeSolution, Text: "Plug it in"},
		{ID: "esc", Type: NodeEscalation, Text: "Hand over"},
	}}
}

func TestValidateDefinition(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(*Definition)
		status TreeStatus
		nodes  []string // the node ids the problems must name, in order
		detail string   // a fragment of the first problem
	}{
		{"complete tree", func(*Definition) {}, TreePublished, nil, ""},
		{"no nodes", func(d *Definition) { d.Nodes = nil }, TreePublished, []string{""}, "at least one node"},
		{"missing root", func(d *Definition) { d.Root = "nope" }, TreePublished, []string{"nope"}, "root"},
		{"duplicate id", func(d *Definition) { d.Nodes[3].ID = "fixed" }, TreePublished, []string{"fixed"}, "used by node 2"},
		{"dangling option", func(d *Definition) { d.Nodes[0].Options[1].Next = "ghost" }, TreePublished, []string{"q"}, `"ghost"`},
		{"dangling action", func(d *Definition) { d.Nodes[1].Next = "ghost" }, TreePublished, []string{"restart"}, `"ghost"`},
		{"unreachable node", func(d *Definition) {
			d.Nodes = append(d.Nodes, Node{ID: "island", Type: NodeSolution, Text: "Alone"})
		}, TreePublished, []string{"island"}, "cannot be reached"},
		{"no way to finish", func(d *Definition) {
			d.Nodes[1].Next = "loop"
			d.Nodes = append(d.Nodes, Node{ID: "loop", Type: NodeAction, Text: "Again", Next: "restart"})
		}, TreePublished, []string{"restart", "esc", "loop"}, "could never end"},
		{"question with one option", func(d *Definition) { d.Nodes[0].Options = d.Nodes[0].Options[:1] }, TreePublished, []string{"q"}, "2 to 20 options"},
		{"duplicate option", func(d *Definition) { d.Nodes[0].Options[1].ID = "yes" }, TreePublished, []string{"q"}, "appears twice"},
		{"action with options", func(d *Definition) { d.Nodes[1].Options = []Option{{ID: "a", Label: "A", Next: "esc"}} }, TreePublished, []string{"restart"}, "only questions"},
		{"solution leading on", func(d *Definition) { d.Nodes[2].Next = "q" }, TreePublished, []string{"fixed"}, "cannot lead anywhere"},
		{"unknown type", func(d *Definition) { d.Nodes[3].Type = "maybe" }, TreePublished, []string{"esc"}, "unknown type"},
		{"empty text", func(d *Definition) { d.Nodes[2].Text = "" }, TreePublished, []string{"fixed"}, "no text"},
		{"text too long", func(d *Definition) { d.Nodes[2].Text = strings.Repeat("é", MaxNodeText+1) }, TreePublished, []string{"fixed"}, "at most"},
		{"too many nodes", func(d *Definition) {
			for i := range MaxNodes {
				d.Nodes = append(d.Nodes, Node{ID: "n" + strings.Repeat("x", i%50) + string(rune('a'+i%26)), Type: NodeSolution, Text: "x"})
			}
		}, TreePublished, []string{""}, "at most 500 nodes"},
		{"draft may dangle", func(d *Definition) { d.Nodes[1].Next = "todo" }, TreeDraft, nil, ""},
		{"draft may be unreachable", func(d *Definition) {
			d.Nodes = append(d.Nodes, Node{ID: "island", Type: NodeSolution, Text: "Alone"})
		}, TreeDraft, nil, ""},
		{"draft still needs nodes shaped like their type", func(d *Definition) {
			d.Nodes[1].Options = []Option{{ID: "a", Label: "A", Next: "esc"}}
		}, TreeDraft, []string{"restart"}, "only questions"},
		{"draft may be unfinished: no text, no options, no next yet", func(d *Definition) {
			d.Nodes[0].Options = nil
			d.Nodes[1].Text, d.Nodes[1].Next = "", ""
			d.Nodes = append(d.Nodes, Node{ID: "new", Type: NodeQuestion, Options: []Option{{ID: "o1"}, {ID: "o2", Label: "Maybe"}}})
		}, TreeDraft, nil, ""},
		{"publishing refuses what a draft left unfinished", func(d *Definition) {
			d.Nodes = append(d.Nodes, Node{ID: "new", Type: NodeQuestion, Text: "Which?", Options: []Option{{ID: "o1", Next: "esc"}, {ID: "o2", Label: "Maybe"}}})
			d.Nodes[3].Type = NodeAction
			d.Nodes[3].Next = "new"
		}, TreePublished, []string{"new", "new"}, "needs a label"},
		{"archived trees are checked like published ones", func(d *Definition) { d.Nodes[1].Next = "ghost" }, TreeArchived, []string{"restart"}, `"ghost"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := small()
			c.mutate(&d)
			got := ValidateDefinition(d, c.status)
			var ids []string
			for _, p := range got {
				ids = append(ids, p.NodeID)
				if !strings.HasPrefix(p.Pointer, "/definition") {
					t.Errorf("pointer %q does not point into the definition", p.Pointer)
				}
			}
			if strings.Join(ids, ",") != strings.Join(c.nodes, ",") {
				t.Fatalf("problems name nodes %q, want %q: %+v", ids, c.nodes, got)
			}
			if c.detail != "" && !strings.Contains(got[0].Detail, c.detail) {
				t.Errorf("detail %q does not mention %q", got[0].Detail, c.detail)
			}
		})
	}
}

// FuzzValidateDefinition feeds arbitrary JSON definitions to the validator: it must never panic,
// and whatever it accepts as published must really be a complete graph.
func FuzzValidateDefinition(f *testing.F) {
	seed, _ := json.Marshal(small())
	f.Add(seed, true)
	f.Add([]byte(`{"root":"a","nodes":[{"id":"a","type":"action","text":"x","next":"a"}]}`), true)
	f.Add([]byte(`{"root":"","nodes":[{"id":"","type":"question","text":"","options":[{"id":"","label":"","next":""}]}]}`), false)
	f.Add([]byte(`{"root":"a","nodes":[{"id":"a","type":"question","text":"q","options":[{"id":"1","label":"1","next":"a"},{"id":"2","label":"2","next":"b"}]},{"id":"b","type":"solution","text":"s"}]}`), true)
	f.Fuzz(func(t *testing.T, raw []byte, published bool) {
		var d Definition
		if json.Unmarshal(raw, &d) != nil {
			return
		}
		status := TreeDraft
		if published {
			status = TreePublished
		}
		problems := ValidateDefinition(d, status)
		if len(problems) > 0 || status != TreePublished {
			return
		}
		// Accepted as published: walk it as a session would, from every node, and reach an end.
		for _, n := range d.Nodes {
			if !reachesTerminal(d, n.ID) {
				t.Fatalf("accepted a definition where %q cannot finish: %s", n.ID, raw)
			}
		}
	})
}

func reachesTerminal(d Definition, from string) bool {
	seen := map[string]bool{}
	stack := []string{from}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		n, ok := d.Node(id)
		if !ok {
			return false
		}
		if n.Type.Terminal() {
			return true
		}
		stack = append(stack, successors(n)...)
	}
	return false
}

func TestDiffDefinitions(t *testing.T) {
	t.Parallel()
	prev := Definition{Root: "a", Nodes: []Node{
		{ID: "a", Type: NodeQuestion, Text: "Power on?", Options: []Option{{ID: "y", Label: "Yes", Next: "b"}, {ID: "n", Label: "No", Next: "c"}}},
		{ID: "b", Type: NodeSolution, Text: "Fine"},
		{ID: "c", Type: NodeEscalation, Text: "Call us"},
	}}
	for _, tc := range []struct {
		name string
		next Definition
		want Changes
	}{
		{"nothing changed", prev, Changes{Added: []string{}, Removed: []string{}, Changed: []string{}}},
		{"an option relabelled changes its node", Definition{Root: "a", Nodes: []Node{
			{ID: "a", Type: NodeQuestion, Text: "Power on?", Options: []Option{{ID: "y", Label: "Yes, green", Next: "b"}, {ID: "n", Label: "No", Next: "c"}}},
			prev.Nodes[1], prev.Nodes[2],
		}}, Changes{Added: []string{}, Removed: []string{}, Changed: []string{"a"}}},
		{"a node replaced by another, with a new root", Definition{Root: "d", Nodes: []Node{
			{ID: "d", Type: NodeAction, Text: "Reboot", Next: "a"}, prev.Nodes[0], prev.Nodes[1],
		}}, Changes{Added: []string{"d"}, Removed: []string{"c"}, Changed: []string{}, RootChanged: true}},
		{"help text counts", Definition{Root: "a", Nodes: []Node{prev.Nodes[0], {ID: "b", Type: NodeSolution, Text: "Fine", Help: "Close the ticket"}, prev.Nodes[2]}},
			Changes{Added: []string{}, Removed: []string{}, Changed: []string{"b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DiffDefinitions(prev, tc.next); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
