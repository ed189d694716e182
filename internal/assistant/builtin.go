// Package assistant holds the assistant's providers.
package assistant

import (
	"context"
	"fmt"
	"strings"

	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/trees"
)

// Builtin is the assistant that needs no network: it retrieves the account's published trees
// that match what the technician describes, and explains where a linked guided session stands.
// It says what it is; it does not pretend to be a model.
type Builtin struct {
	Trees *trees.Service
}

// matches is how many trees a reply names.
const matches = 3

func (b Builtin) Reply(ctx context.Context, c domain.Conversation, delta func(string)) (string, error) {
	reply, err := b.compose(ctx, c)
	if err != nil {
		return "", err
	}
	for line := range strings.SplitAfterSeq(reply, "\n") {
		delta(line)
	}
	return reply, nil
}

func (b Builtin) compose(ctx context.Context, c domain.Conversation) (string, error) {
	asked := c.Problem
	if n := len(c.Messages); n > 0 {
		asked = c.Messages[n-1].Content
	}
	found, err := b.Trees.Match(ctx, c.Principal, asked, matches)
	if err != nil {
		return "", fmt.Errorf("search trees: %w", err)
	}
	var r strings.Builder
	r.WriteString("I'm ResolutionFlow's built-in assistant: I don't write answers of my own, I look up your account's troubleshooting trees.\n")
	if c.Linked != nil && c.Tree != nil {
		describeSession(&r, *c.Linked, *c.Tree)
	}
	if len(found) == 0 {
		fmt.Fprintf(&r, "\nNo published tree matches “%s”. Describe the symptom in other words (the error message, the application, the device), or escalate to an engineer.\n", asked)
		return r.String(), nil
	}
	fmt.Fprintf(&r, "\nTrees that match “%s”:\n", asked)
	for i, m := range found {
		fmt.Fprintf(&r, "%d. %s (%s) — matches %s: “%s”\n", i+1, m.Tree.Title, m.Tree.Category, strings.Join(m.Words, ", "), m.Line)
	}
	best := found[0].Tree
	fmt.Fprintf(&r, "\nBest match: start a guided session on “%s” to walk through it step by step (tree %s).\n", best.Title, best.ID)
	return r.String(), nil
}

// describeSession states where a guided session stands and where each answer leads.
func describeSession(r *strings.Builder, s domain.Session, def domain.Definition) {
	node, ok := def.Node(s.CurrentNode)
	if !ok {
		return
	}
	fmt.Fprintf(r, "\nYour guided session on “%s” (version %d, %s) is at: “%s”\n", s.TreeTitle, s.TreeVersion, s.Status, node.Text)
	switch node.Type {
	case domain.NodeQuestion:
		for _, o := range node.Options {
			next, _ := def.Node(o.Next)
			fmt.Fprintf(r, "- “%s” leads to: %s\n", o.Label, next.Text)
		}
	case domain.NodeAction:
		next, _ := def.Node(node.Next)
		fmt.Fprintf(r, "- when done, next: %s\n", next.Text)
	case domain.NodeSolution:
		r.WriteString("- this is a solution: if it worked, complete the session as resolved.\n")
	case domain.NodeEscalation:
		r.WriteString("- the tree says to hand this off: escalate the session.\n")
	}
}
