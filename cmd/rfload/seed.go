package main

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
)

type seeded struct {
	accountID uuid.UUID
	token     string
	bigTrees  []uuid.UUID
}

// vocabulary gives the generated trees words a technician would search for.
var vocabulary = strings.Fields(`outlook printer spooler vpn forticlient anyconnect dns dhcp gateway wifi ethernet
	adapter driver firmware bitlocker recovery mfa authenticator token password lockout license teams
	onedrive sharepoint sync mailbox calendar profile cache certificate proxy firewall port router switch
	vlan latency packet disk memory cpu startup update reboot bios battery dock monitor display audio
	microphone webcam keyboard mouse bluetooth usb scanner toner tray jam queue permission group policy
	domain trust kerberos ntp clock backup restore snapshot antivirus quarantine phishing browser chrome
	edge extension excel word pdf signature archive retention`)

func seed(ctx context.Context, hc *http.Client, o options) (seeded, error) {
	c, err := oapi.NewClientWithResponses(o.url, oapi.WithHTTPClient(hc))
	if err != nil {
		return seeded{}, err
	}
	email := "load-" + strings.ToLower(crand.Text()[:10]) + "@example.com"
	reg, err := c.RegisterWithResponse(ctx, &oapi.RegisterParams{}, oapi.RegisterRequest{
		AccountName: "Load test " + email, Name: "Load", Email: oapi.Email(email), Password: "load test passphrase",
	})
	if err != nil {
		return seeded{}, fmt.Errorf("register: %w", err)
	}
	if reg.JSON201 == nil {
		return seeded{}, fmt.Errorf("register: %d %s", reg.StatusCode(), reg.Body)
	}
	s := seeded{accountID: reg.JSON201.Account.Id, token: reg.JSON201.Tokens.AccessToken, bigTrees: make([]uuid.UUID, o.bigTrees)}
	authed, err := oapi.NewClientWithResponses(o.url, oapi.WithHTTPClient(hc), oapi.WithRequestEditorFn(bearer(s.token)))
	if err != nil {
		return seeded{}, err
	}

	const workers = 8
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for i := range jobs {
				nodes := 30
				if i < o.bigTrees {
					nodes = o.nodes
				}
				r, err := authed.CreateTreeWithResponse(ctx, generateTree(rng, i, nodes))
				if err != nil {
					errs <- fmt.Errorf("create tree %d: %w", i, err)
					return
				}
				if r.JSON201 == nil {
					errs <- fmt.Errorf("create tree %d: %d %s", i, r.StatusCode(), r.Body)
					return
				}
				if i < o.bigTrees {
					s.bigTrees[i] = r.JSON201.Id
				}
			}
		})
	}
	var sendErr error
	for i := 0; i < o.searchTrees && sendErr == nil; i++ {
		select {
		case jobs <- i:
		case sendErr = <-errs:
		case <-ctx.Done():
			sendErr = ctx.Err()
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if sendErr != nil {
		return seeded{}, sendErr
	}
	if err := <-errs; err != nil {
		return seeded{}, err
	}
	return s, nil
}

func bearer(token string) oapi.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// filler are the everyday words of troubleshooting steps, in almost every tree.
var filler = strings.Fields(`check the user device settings status open confirm again logs service and
	then whether it is on off working shows error message after before restart sign in screen`)

// topic makes the text of one tree: mostly its three topic words from vocabulary, everyday
// words and the odd error code, as real trees about one problem are. So a topic word matches a
// few percent of trees, like a real knowledge base, not all of them.
type topic struct {
	rng   *rand.Rand
	words [3]string
}

func newTopic(rng *rand.Rand) topic {
	t := topic{rng: rng}
	for i := range t.words {
		t.words[i] = vocabulary[rng.IntN(len(vocabulary))]
	}
	return t
}

func (t topic) text(n int) string {
	w := make([]string, n)
	for i := range w {
		switch r := t.rng.IntN(10); {
		case r < 3:
			w[i] = t.words[t.rng.IntN(len(t.words))]
		case r == 3:
			w[i] = fmt.Sprintf("0x%08x", t.rng.Uint32())
		default:
			w[i] = filler[t.rng.IntN(len(filler))]
		}
	}
	return strings.Join(w, " ")
}

// generateTree makes a valid published tree of n nodes (n >= 4): questions and actions in a long
// chain, each question also jumping ahead or to the escalation, ending in a solution and an
// escalation. Walking it answers dozens of nodes, like a long real session.
func generateTree(rng *rand.Rand, i, n int) oapi.TreeWrite {
	tp := newTopic(rng)
	solution, escalation := n-2, n-1
	id := func(k int) string { return fmt.Sprintf("n%d", k) }
	nodes := make([]oapi.TreeNode, n)
	for k := range solution {
		if k%3 == 2 {
			next := id(k + 1)
			nodes[k] = oapi.TreeNode{Id: id(k), Type: oapi.Action, Text: "Restart " + tp.text(8), Next: &next}
			continue
		}
		opts := []oapi.NodeOption{
			{Id: "yes", Label: "Yes, " + tp.text(2), Next: id(k + 1)},
			{Id: "no", Label: "No, " + tp.text(2), Next: id(min(k+2, solution))},
		}
		if k%10 == 0 {
			opts = append(opts, oapi.NodeOption{Id: "stuck", Label: "Still failing", Next: id(escalation)})
		}
		nodes[k] = oapi.TreeNode{Id: id(k), Type: oapi.Question, Text: "Does " + tp.text(10) + "?", Options: &opts}
	}
	nodes[solution] = oapi.TreeNode{Id: id(solution), Type: oapi.Solution, Text: "Resolved: " + tp.text(6)}
	nodes[escalation] = oapi.TreeNode{Id: id(escalation), Type: oapi.Escalation, Text: "Escalate with " + tp.text(6)}
	tags := []string{tp.words[0], tp.words[1]}
	description := "When " + tp.text(14)
	return oapi.TreeWrite{
		Title:       fmt.Sprintf("%s %s %s #%d", strings.ToUpper(tp.words[0][:1])+tp.words[0][1:], tp.words[1], tp.words[2], i),
		Description: &description, Category: "Load " + vocabulary[i%12], Tags: &tags, Status: oapi.TreeWriteStatusPublished,
		Definition: oapi.TreeDefinition{Root: id(0), Nodes: nodes},
	}
}
