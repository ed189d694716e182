package domain

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// NodeType is what a tree node asks of the technician.
type NodeType string

const (
	NodeQuestion   NodeType = "question"   // 2+ options, each naming the next node
	NodeAction     NodeType = "action"     // an instruction with one next node
	NodeSolution   NodeType = "solution"   // terminal: resolved
	NodeEscalation NodeType = "escalation" // terminal: hand off
)

// Terminal reports whether a session ends at nodes of this type.
func (t NodeType) Terminal() bool { return t == NodeSolution || t == NodeEscalation }

// TreeStatus is a tree's life-cycle stage.
type TreeStatus string

const (
	TreeDraft     TreeStatus = "draft"
	TreePublished TreeStatus = "published"
	TreeArchived  TreeStatus = "archived"
)

// Option is one answer to a question node.
type Option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Next  string `json:"next"`
}

// Node is one step of a tree.
type Node struct {
	ID      string   `json:"id"`
	Type    NodeType `json:"type"`
	Text    string   `json:"text"`
	Help    string   `json:"help,omitempty"`
	Options []Option `json:"options,omitempty"`
	Next    string   `json:"next,omitempty"`
}

// Definition is a tree's graph, stored as one JSON document per version.
type Definition struct {
	Root  string `json:"root"`
	Nodes []Node `json:"nodes"`
}

// DecodeDefinition reads a definition stored as JSON.
func DecodeDefinition(raw []byte) (Definition, error) {
	var d Definition
	if err := json.Unmarshal(raw, &d); err != nil {
		return Definition{}, fmt.Errorf("decode stored definition: %w", err)
	}
	return d, nil
}

// Node returns the node with id, if any.
func (d Definition) Node(id string) (Node, bool) {
	for _, n := range d.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// Limits on a definition, so that one tree cannot make every read of it slow.
const (
	MaxNodes      = 500
	MaxOptions    = 20
	MaxNodeIDLen  = 64
	MaxNodeText   = 4000
	MaxOptionText = 500
	minOptions    = 2
)

// DefinitionProblem is one reason a definition is refused, naming the node it concerns.
type DefinitionProblem struct {
	NodeID  string
	Pointer string // into the definition, e.g. /nodes/3/options/1/next
	Detail  string
}

// ValidateDefinition checks a definition. Every tree needs unique node ids, a root that exists,
// nodes of a known type shaped like it, and the size limits. Published trees must also be
// complete: every node has its text, every question 2+ labelled options, every reference names
// a node, every node is reachable from the root, and a terminal node is reachable from every
// node. Drafts skip those completeness rules so that authors can save work in progress at any
// time; publishing enforces them (PublishProblems lists them for a draft).
func ValidateDefinition(d Definition, status TreeStatus) []DefinitionProblem {
	var ps []DefinitionProblem
	add := func(nodeID, pointer, format string, args ...any) {
		ps = append(ps, DefinitionProblem{NodeID: nodeID, Pointer: "/definition" + pointer, Detail: fmt.Sprintf(format, args...)})
	}
	if len(d.Nodes) == 0 {
		add("", "/nodes", "a tree needs at least one node")
		return ps
	}
	if len(d.Nodes) > MaxNodes {
		add("", "/nodes", "a tree may have at most %d nodes, this one has %d", MaxNodes, len(d.Nodes))
		return ps
	}
	index := make(map[string]int, len(d.Nodes))
	for i, n := range d.Nodes {
		at := fmt.Sprintf("/nodes/%d", i)
		switch {
		case n.ID == "":
			add("", at+"/id", "node %d has no id", i)
			continue
		case utf8.RuneCountInString(n.ID) > MaxNodeIDLen:
			add(n.ID, at+"/id", "node ids may have at most %d characters", MaxNodeIDLen)
		}
		if first, dup := index[n.ID]; dup {
			add(n.ID, at+"/id", "node id %q is used by node %d too", n.ID, first)
			continue
		}
		index[n.ID] = i
		ps = append(ps, checkNode(n, at, status == TreeDraft)...)
	}
	if _, ok := index[d.Root]; !ok {
		add(d.Root, "/root", "the root %q is not a node of this tree", d.Root)
		return ps
	}
	if status == TreeDraft || len(ps) > 0 {
		return ps
	}
	return append(ps, checkGraph(d, index)...)
}

// checkNode checks one node's shape. In a draft, what is only unfinished (no text, too few
// options, an option without label or next) is left for publishing to refuse.
func checkNode(n Node, at string, draft bool) []DefinitionProblem {
	var ps []DefinitionProblem
	add := func(pointer, format string, args ...any) {
		ps = append(ps, DefinitionProblem{NodeID: n.ID, Pointer: "/definition" + at + pointer, Detail: fmt.Sprintf(format, args...)})
	}
	unfinished := func(pointer, format string, args ...any) {
		if !draft {
			add(pointer, format, args...)
		}
	}
	if n.Text == "" {
		unfinished("/text", "node %q has no text", n.ID)
	}
	if utf8.RuneCountInString(n.Text) > MaxNodeText || utf8.RuneCountInString(n.Help) > MaxNodeText {
		add("/text", "node %q: text and help may have at most %d characters each", n.ID, MaxNodeText)
	}
	switch n.Type {
	case NodeQuestion:
		if n.Next != "" {
			add("/next", "question %q continues through its options, not next", n.ID)
		}
		switch {
		case len(n.Options) > MaxOptions:
			add("/options", "question %q needs %d to %d options, it has %d", n.ID, minOptions, MaxOptions, len(n.Options))
		case len(n.Options) < minOptions:
			unfinished("/options", "question %q needs %d to %d options, it has %d", n.ID, minOptions, MaxOptions, len(n.Options))
		}
		seen := map[string]bool{}
		for j, o := range n.Options {
			oat := fmt.Sprintf("/options/%d", j)
			switch {
			case o.ID == "":
				add(oat+"/id", "option %d of %q has no id", j, n.ID)
			case seen[o.ID]:
				add(oat+"/id", "option id %q appears twice in %q", o.ID, n.ID)
			}
			seen[o.ID] = true
			switch {
			case utf8.RuneCountInString(o.Label) > MaxOptionText:
				add(oat+"/label", "option %q of %q needs a label of 1 to %d characters", o.ID, n.ID, MaxOptionText)
			case o.Label == "":
				unfinished(oat+"/label", "option %q of %q needs a label of 1 to %d characters", o.ID, n.ID, MaxOptionText)
			}
			if o.Next == "" {
				unfinished(oat+"/next", "option %q of %q does not say which node follows", o.ID, n.ID)
			}
		}
	case NodeAction:
		if len(n.Options) > 0 {
			add("/options", "action %q has options; only questions do", n.ID)
		}
		if n.Next == "" {
			unfinished("/next", "action %q does not say which node follows", n.ID)
		}
	case NodeSolution, NodeEscalation:
		if len(n.Options) > 0 || n.Next != "" {
			add("", "%s %q ends the session and cannot lead anywhere", n.Type, n.ID)
		}
	default:
		add("/type", "node %q has unknown type %q: use question, action, solution or escalation", n.ID, n.Type)
	}
	return ps
}

// checkGraph enforces the rules of a complete tree on a definition whose nodes are well-formed.
func checkGraph(d Definition, index map[string]int) []DefinitionProblem {
	var ps []DefinitionProblem
	edges := make(map[string][]string, len(d.Nodes))
	for i, n := range d.Nodes {
		for j, next := range successors(n) {
			if _, ok := index[next]; !ok {
				pointer := fmt.Sprintf("/definition/nodes/%d/next", i)
				if n.Type == NodeQuestion {
					pointer = fmt.Sprintf("/definition/nodes/%d/options/%d/next", i, j)
				}
				ps = append(ps, DefinitionProblem{NodeID: n.ID, Pointer: pointer, Detail: fmt.Sprintf("node %q leads to %q, which is not a node of this tree", n.ID, next)})
				continue
			}
			edges[n.ID] = append(edges[n.ID], next)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	reached := map[string]bool{d.Root: true}
	queue := []string{d.Root}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, next := range edges[id] {
			if !reached[next] {
				reached[next] = true
				queue = append(queue, next)
			}
		}
	}
	// A node can finish when a terminal is reachable from it: walk the edges backwards from
	// every terminal.
	reverse := map[string][]string{}
	for from, tos := range edges {
		for _, to := range tos {
			reverse[to] = append(reverse[to], from)
		}
	}
	canFinish := map[string]bool{}
	queue = queue[:0]
	for _, n := range d.Nodes {
		if n.Type.Terminal() {
			canFinish[n.ID] = true
			queue = append(queue, n.ID)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, prev := range reverse[id] {
			if !canFinish[prev] {
				canFinish[prev] = true
				queue = append(queue, prev)
			}
		}
	}
	for i, n := range d.Nodes {
		at := fmt.Sprintf("/definition/nodes/%d", i)
		if !reached[n.ID] {
			ps = append(ps, DefinitionProblem{NodeID: n.ID, Pointer: at, Detail: fmt.Sprintf("node %q cannot be reached from the root %q", n.ID, d.Root)})
		} else if !canFinish[n.ID] {
			ps = append(ps, DefinitionProblem{NodeID: n.ID, Pointer: at, Detail: fmt.Sprintf("from node %q no solution or escalation can be reached: a session there could never end", n.ID)})
		}
	}
	return ps
}

func successors(n Node) []string {
	switch n.Type {
	case NodeQuestion:
		out := make([]string, len(n.Options))
		for i, o := range n.Options {
			out[i] = o.Next
		}
		return out
	case NodeAction:
		return []string{n.Next}
	}
	return nil
}

// Tree is a decision tree with its current definition.
type Tree struct {
	ID             uuid.UUID
	AccountID      uuid.UUID
	Title          string
	Description    string
	Category       string
	Tags           []string
	Status         TreeStatus
	CurrentVersion int32
	Revision       int32
	Definition     Definition
	CreatedBy      uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ETag identifies the tree's state for optimistic concurrency: any change to the tree, not only
// to its definition, changes it.
func (t Tree) ETag() string { return fmt.Sprintf(`"%s.%d"`, t.ID, t.Revision) }

// TreeVersion is one stored definition of a tree. In the history, CreatedByName is its author's
// name and Changes what it changed in the version before it (nil for the first).
type TreeVersion struct {
	TreeID        uuid.UUID
	Version       int32
	Definition    Definition
	CreatedBy     uuid.UUID
	CreatedByName string
	CreatedAt     time.Time
	Changes       *Changes
}

// PublishProblems is what stops a definition from being published: the problems a publish
// would be refused with. Drafts are stored with them, so that authors see them as they work.
func PublishProblems(d Definition) []DefinitionProblem {
	return ValidateDefinition(d, TreePublished)
}

// Changes is what one version of a definition changed in the one before it, by node id.
type Changes struct {
	Added, Removed, Changed []string
	RootChanged             bool
}

// DiffDefinitions says what next changed in prev: nodes added, removed, and changed in any of
// type, text, help, options or next. Ids keep the order of the definition they are in.
func DiffDefinitions(prev, next Definition) Changes {
	c := Changes{Added: []string{}, Removed: []string{}, Changed: []string{}, RootChanged: prev.Root != next.Root}
	before := make(map[string]Node, len(prev.Nodes))
	for _, n := range prev.Nodes {
		before[n.ID] = n
	}
	after := make(map[string]bool, len(next.Nodes))
	for _, n := range next.Nodes {
		after[n.ID] = true
		old, ok := before[n.ID]
		switch {
		case !ok:
			c.Added = append(c.Added, n.ID)
		case !sameNode(old, n):
			c.Changed = append(c.Changed, n.ID)
		}
	}
	for _, n := range prev.Nodes {
		if !after[n.ID] {
			c.Removed = append(c.Removed, n.ID)
		}
	}
	return c
}

func sameNode(a, b Node) bool {
	if a.Type != b.Type || a.Text != b.Text || a.Help != b.Help || a.Next != b.Next || len(a.Options) != len(b.Options) {
		return false
	}
	for i := range a.Options {
		if a.Options[i] != b.Options[i] {
			return false
		}
	}
	return true
}
