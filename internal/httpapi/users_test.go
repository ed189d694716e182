package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

func ptr[T any](v T) *T { return &v }

func TestAdminManagesUsers(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Northwind IT")

	created, err := admin.Client.CreateUserWithResponse(ctx, oapi.UserCreate{
		Email: oapi.Email(apitest.UniqueEmail("eng")), Name: "Eve Engineer", Role: oapi.Engineer, Password: apitest.Password,
	})
	if err != nil || created.StatusCode() != http.StatusCreated {
		t.Fatalf("create: %v %d %s", err, created.StatusCode(), created.Body)
	}
	eng := created.JSON201
	if eng.AccountId != admin.AccountID || eng.Role != oapi.Engineer || !eng.Active {
		t.Errorf("created %+v, want an active engineer of the admin's account", eng)
	}
	if loc := created.HTTPResponse.Header.Get("Location"); loc != "/api/v1/users/"+eng.Id.String() {
		t.Errorf("Location = %q", loc)
	}
	s.AddUser(admin, oapi.Viewer)

	all, err := admin.Client.ListUsersWithResponse(ctx, &oapi.ListUsersParams{})
	if err != nil || all.StatusCode() != http.StatusOK {
		t.Fatalf("list: %v %d", err, all.StatusCode())
	}
	if all.JSON200.Total != 3 || len(all.JSON200.Items) != 3 || all.JSON200.Limit != 50 {
		t.Errorf("list = total %d, %d items, limit %d; want 3, 3, 50", all.JSON200.Total, len(all.JSON200.Items), all.JSON200.Limit)
	}
	engineers, _ := admin.Client.ListUsersWithResponse(ctx, &oapi.ListUsersParams{Role: ptr(oapi.Engineer)})
	if engineers.JSON200.Total != 1 || engineers.JSON200.Items[0].Id != eng.Id {
		t.Errorf("role=engineer lists %+v, want only the engineer", engineers.JSON200.Items)
	}
	paged, _ := admin.Client.ListUsersWithResponse(ctx, &oapi.ListUsersParams{Limit: ptr[int32](2), Offset: ptr[int32](2)})
	if paged.JSON200.Total != 3 || len(paged.JSON200.Items) != 1 {
		t.Errorf("page 2 of 2 = total %d with %d items, want 3 with 1", paged.JSON200.Total, len(paged.JSON200.Items))
	}

	updated, err := admin.Client.UpdateUserWithResponse(ctx, eng.Id, oapi.UserUpdate{Name: ptr("Eve E."), Role: ptr(oapi.Viewer)})
	if err != nil || updated.StatusCode() != http.StatusOK || updated.JSON200.Name != "Eve E." || updated.JSON200.Role != oapi.Viewer {
		t.Fatalf("update: %v %d %s", err, updated.StatusCode(), updated.Body)
	}
	got, _ := admin.Client.GetUserWithResponse(ctx, eng.Id)
	if got.JSON200.Role != oapi.Viewer || got.JSON200.Name != "Eve E." {
		t.Errorf("read back %+v, want the update applied", got.JSON200)
	}

	dup, _ := admin.Client.CreateUserWithResponse(ctx, oapi.UserCreate{Email: eng.Email, Name: "Again", Role: oapi.Viewer, Password: apitest.Password})
	if dup.StatusCode() != http.StatusConflict {
		t.Errorf("duplicate email = %d, want 409", dup.StatusCode())
	}
}

func TestDeactivationRevokesAccess(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Contoso")
	viewer := s.AddUser(admin, oapi.Viewer)

	del, err := admin.Client.DeactivateUserWithResponse(ctx, viewer.UserID)
	if err != nil || del.StatusCode() != http.StatusNoContent {
		t.Fatalf("deactivate: %v %d %s", err, del.StatusCode(), del.Body)
	}
	refresh(t, s, viewer.RefreshToken, http.StatusUnauthorized)
	login, _ := s.Client("").LoginWithResponse(ctx, &oapi.LoginParams{}, oapi.LoginRequest{Email: viewer.Email, Password: apitest.Password})
	if login.StatusCode() != http.StatusUnauthorized {
		t.Errorf("a deactivated user signs in: %d", login.StatusCode())
	}
	got, _ := admin.Client.GetUserWithResponse(ctx, viewer.UserID)
	if got.JSON200.Active {
		t.Error("the user is still active")
	}
}

func TestAdminPasswordResetRevokesRefreshTokens(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Fabrikam")
	viewer := s.AddUser(admin, oapi.Viewer)
	r, err := admin.Client.UpdateUserWithResponse(context.Background(), viewer.UserID, oapi.UserUpdate{Password: ptr("a reset passphrase 1")})
	if err != nil || r.StatusCode() != http.StatusOK {
		t.Fatalf("reset: %v %d %s", err, r.StatusCode(), r.Body)
	}
	refresh(t, s, viewer.RefreshToken, http.StatusUnauthorized)
	s.Login(viewer.Email, "a reset passphrase 1")
}

func TestOnlyAdminsManageUsers(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Woodgrove")
	target := s.AddUser(admin, oapi.Viewer)
	for _, role := range []oapi.Role{oapi.Viewer, oapi.Engineer} {
		c := s.AddUser(admin, role)
		statuses := map[string]int{}
		list, _ := c.Client.ListUsersWithResponse(ctx, &oapi.ListUsersParams{})
		statuses["list"] = list.StatusCode()
		create, _ := c.Client.CreateUserWithResponse(ctx, oapi.UserCreate{Email: oapi.Email(apitest.UniqueEmail("x")), Name: "X", Role: oapi.Admin, Password: apitest.Password})
		statuses["create"] = create.StatusCode()
		get, _ := c.Client.GetUserWithResponse(ctx, target.UserID)
		statuses["get"] = get.StatusCode()
		upd, _ := c.Client.UpdateUserWithResponse(ctx, c.UserID, oapi.UserUpdate{Role: ptr(oapi.Admin)})
		statuses["promote self"] = upd.StatusCode()
		del, _ := c.Client.DeactivateUserWithResponse(ctx, target.UserID)
		statuses["deactivate"] = del.StatusCode()
		for op, status := range statuses {
			if status != http.StatusForbidden {
				t.Errorf("%s: %s = %d, want 403", role, op, status)
			}
		}
	}
	got, _ := admin.Client.GetUserWithResponse(ctx, target.UserID)
	if !got.JSON200.Active {
		t.Error("a forbidden deactivation was applied")
	}
}

func TestUsersOfAnotherAccountAreNotFound(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	adminA := s.Register("Account A")
	adminB := s.Register("Account B")
	userB := s.AddUser(adminB, oapi.Viewer)

	get, _ := adminA.Client.GetUserWithResponse(ctx, userB.UserID)
	upd, _ := adminA.Client.UpdateUserWithResponse(ctx, userB.UserID, oapi.UserUpdate{Role: ptr(oapi.Admin), Name: ptr("pwned")})
	del, _ := adminA.Client.DeactivateUserWithResponse(ctx, userB.UserID)
	missing, _ := adminA.Client.GetUserWithResponse(ctx, uuid.New())
	for name, status := range map[string]int{"get": get.StatusCode(), "update": upd.StatusCode(), "deactivate": del.StatusCode(), "missing": missing.StatusCode()} {
		if status != http.StatusNotFound {
			t.Errorf("%s of another account's user = %d, want 404", name, status)
		}
	}
	if *get.ApplicationproblemJSON404.Detail == "" || get.Body == nil {
		t.Error("404 without detail")
	}
	list, _ := adminA.Client.ListUsersWithResponse(ctx, &oapi.ListUsersParams{})
	for _, u := range list.JSON200.Items {
		if u.AccountId != adminA.AccountID {
			t.Errorf("account A lists user %s of account %s", u.Email, u.AccountId)
		}
	}
	b, _ := adminB.Client.GetUserWithResponse(ctx, userB.UserID)
	if b.JSON200.Name == "pwned" || b.JSON200.Role != oapi.Viewer || !b.JSON200.Active {
		t.Errorf("account B's user was changed by account A: %+v", b.JSON200)
	}
}

func TestUserWritesRejectFieldsCallersMayNotSet(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Litware")
	other := s.Register("Other")
	viewer := s.AddUser(admin, oapi.Viewer)

	create := `{"email":"` + apitest.UniqueEmail("m") + `","name":"M","role":"viewer","password":"` + apitest.Password + `","account_id":"` + other.AccountID.String() + `"}`
	p := decodeProblem(t, do(t, s, http.MethodPost, "/api/v1/users", admin.AccessToken, "application/json", create), http.StatusUnprocessableEntity)
	if !hasPointer(p, "/account_id") {
		t.Errorf("create with account_id: %+v", p.Errors)
	}
	patch := `{"name":"M","account_id":"` + other.AccountID.String() + `","id":"` + uuid.NewString() + `","email":"new@example.com"}`
	p = decodeProblem(t, do(t, s, http.MethodPatch, "/api/v1/users/"+viewer.UserID.String(), admin.AccessToken, "application/json", patch), http.StatusUnprocessableEntity)
	for _, ptr := range []string{"/account_id", "/id", "/email"} {
		if !hasPointer(p, ptr) {
			t.Errorf("patch with %s not rejected: %+v", ptr, p.Errors)
		}
	}
	// Member names are matched exactly: a differently-cased duplicate cannot smuggle a value.
	p = decodeProblem(t, do(t, s, http.MethodPatch, "/api/v1/users/"+viewer.UserID.String(), admin.AccessToken, "application/json", `{"name":"ok","NAME":"smuggled"}`), http.StatusUnprocessableEntity)
	if !hasPointer(p, "/NAME") {
		t.Errorf("differently-cased field not rejected: %+v", p.Errors)
	}
	got, _ := admin.Client.GetUserWithResponse(context.Background(), viewer.UserID)
	if got.JSON200.AccountId != admin.AccountID || got.JSON200.Name == "M" || got.JSON200.Name == "smuggled" {
		t.Errorf("a rejected patch was applied: %+v", got.JSON200)
	}
}

func TestTheLastAdminStays(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Proseware")

	demote, _ := admin.Client.UpdateUserWithResponse(ctx, admin.UserID, oapi.UserUpdate{Role: ptr(oapi.Engineer)})
	deactivate, _ := admin.Client.DeactivateUserWithResponse(ctx, admin.UserID)
	if demote.StatusCode() != http.StatusConflict || deactivate.StatusCode() != http.StatusConflict {
		t.Fatalf("last admin: demote %d, deactivate %d; want 409 for both", demote.StatusCode(), deactivate.StatusCode())
	}
	second := s.AddUser(admin, oapi.Admin)
	if r, _ := admin.Client.UpdateUserWithResponse(ctx, admin.UserID, oapi.UserUpdate{Role: ptr(oapi.Engineer)}); r.StatusCode() != http.StatusOK {
		t.Fatalf("with a second admin, demoting the first = %d, want 200", r.StatusCode())
	}
	if r, _ := second.Client.DeactivateUserWithResponse(ctx, second.UserID); r.StatusCode() != http.StatusConflict {
		t.Errorf("the remaining admin deactivates themself = %d, want 409", r.StatusCode())
	}
}

// Two admins demoting each other at the same moment: without the lock both would succeed and
// the account would have no admin. Exactly one must win, every round.
func TestConcurrentAdminDemotionsLeaveOneAdmin(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	for round := range 10 {
		a := s.Register("Race " + string(rune('A'+round)))
		b := s.AddUser(a, oapi.Admin)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, pair := range [][2]apitest.Caller{{a, b}, {b, a}} {
			wg.Go(func() {
				r, err := pair[0].Client.UpdateUserWithResponse(ctx, pair[1].UserID, oapi.UserUpdate{Role: ptr(oapi.Viewer)})
				if err != nil {
					t.Error(err)
					return
				}
				statuses[i] = r.StatusCode()
			})
		}
		wg.Wait()
		ok := 0
		for _, st := range statuses {
			if st == http.StatusOK {
				ok++
			}
		}
		admins, _ := a.Client.ListUsersWithResponse(ctx, &oapi.ListUsersParams{Role: ptr(oapi.Admin), Active: ptr(true)})
		if ok != 1 {
			t.Errorf("round %d: statuses %v, want exactly one 200", round, statuses)
		}
		if admins != nil && admins.JSON200 != nil && admins.JSON200.Total != 1 {
			t.Errorf("round %d: %d active admins left, want 1", round, admins.JSON200.Total)
		}
	}
}
