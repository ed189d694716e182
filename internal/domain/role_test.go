package domain

import "testing"

func TestRoleArticle(t *testing.T) {
	t.Parallel()
	for role, want := range map[Role]string{RoleAdmin: "an admin", RoleEngineer: "an engineer", RoleViewer: "a viewer"} {
		if got := role.Article(); got != want {
			t.Errorf("%s: %q, want %q", role, got, want)
		}
	}
}
