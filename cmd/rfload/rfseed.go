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

// rfAccount is one seeded account: the viewer's client escalates sessions on the tree, and
// the engineers' tokens open the streams.
type rfAccount struct {
	viewer         *oapi.Client
	tree           uuid.UUID
	engineerTokens []string
	// started are sessions of the viewer started before the measurement, each waiting to be
	// escalated by one publish.
	started chan uuid.UUID
}

const seedPassword = "load test passphrase"

// seedWorkers bounds the accounts seeded at once: every user created and signed in costs the
// server an argon2id hash, which it queues on its own beyond two per core.
const seedWorkers = 4

func seedStreamAccounts(ctx context.Context, hc *http.Client, url string, n, engineers int) ([]rfAccount, error) {
	out := make([]rfAccount, n)
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range seedWorkers {
		wg.Go(func() {
			for i := range jobs {
				acc, err := seedStreamAccount(ctx, hc, url, i, engineers)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = acc
				mu.Unlock()
			}
		})
	}
	for i := range n {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return out, firstErr
}

// seedStreamAccount registers account i, whose admin creates its tree, its viewer and its
// engineers through POST /users; each of those then signs in, as a person would.
func seedStreamAccount(ctx context.Context, hc *http.Client, url string, i, engineers int) (rfAccount, error) {
	c, err := oapi.NewClientWithResponses(url, oapi.WithHTTPClient(hc))
	if err != nil {
		return rfAccount{}, err
	}
	tag := strings.ToLower(crand.Text()[:10])
	reg, err := c.RegisterWithResponse(ctx, &oapi.RegisterParams{}, oapi.RegisterRequest{
		AccountName: "Stream " + tag, Name: "Load admin", Email: oapi.Email("stream-" + tag + "@example.com"), Password: seedPassword,
	})
	if err != nil {
		return rfAccount{}, fmt.Errorf("register: %w", err)
	}
	if reg.JSON201 == nil {
		return rfAccount{}, fmt.Errorf("register: %d %s", reg.StatusCode(), reg.Body)
	}
	admin, err := oapi.NewClientWithResponses(url, oapi.WithHTTPClient(hc), oapi.WithRequestEditorFn(bearer(reg.JSON201.Tokens.AccessToken)))
	if err != nil {
		return rfAccount{}, err
	}
	tree, err := admin.CreateTreeWithResponse(ctx, generateTree(rand.New(rand.NewPCG(3, uint64(i))), i, 8))
	if err != nil {
		return rfAccount{}, fmt.Errorf("create tree: %w", err)
	}
	if tree.JSON201 == nil {
		return rfAccount{}, fmt.Errorf("create tree: %d %s", tree.StatusCode(), tree.Body)
	}
	viewerToken, err := addUser(ctx, c, admin, "viewer-"+tag+"@example.com", oapi.Viewer)
	if err != nil {
		return rfAccount{}, err
	}
	acc := rfAccount{tree: tree.JSON201.Id}
	for k := range engineers {
		token, err := addUser(ctx, c, admin, fmt.Sprintf("engineer%d-%s@example.com", k, tag), oapi.Engineer)
		if err != nil {
			return rfAccount{}, err
		}
		acc.engineerTokens = append(acc.engineerTokens, token)
	}
	acc.viewer, err = oapi.NewClient(url, oapi.WithHTTPClient(hc), oapi.WithRequestEditorFn(bearer(viewerToken)))
	return acc, err
}

// addUser creates a user with the admin's client and signs them in, returning their access
// token.
func addUser(ctx context.Context, anon, admin *oapi.ClientWithResponses, email string, role oapi.Role) (string, error) {
	u, err := admin.CreateUserWithResponse(ctx, oapi.UserCreate{Email: oapi.Email(email), Name: "Load " + string(role), Role: role, Password: seedPassword})
	if err != nil {
		return "", fmt.Errorf("create %s: %w", role, err)
	}
	if u.JSON201 == nil {
		return "", fmt.Errorf("create %s: %d %s", role, u.StatusCode(), u.Body)
	}
	in, err := anon.LoginWithResponse(ctx, &oapi.LoginParams{}, oapi.LoginRequest{Email: email, Password: seedPassword})
	if err != nil {
		return "", fmt.Errorf("sign in as %s: %w", role, err)
	}
	if in.JSON200 == nil {
		return "", fmt.Errorf("sign in as %s: %d %s", role, in.StatusCode(), in.Body)
	}
	return in.JSON200.AccessToken, nil
}
