package archtest

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const module = "github.com/resolutionflow/resolutionflow"

// importRule forbids a package some imports. Transitive rules follow the whole dependency graph
// of the package (what it imports, what those import, and so on); direct rules look at its own
// import lines only. Both look at the package as it is built, not at its tests.
type importRule struct {
	pkg        string
	transitive bool
	forbidden  []string // import paths, or path prefixes ending in "/"
	why        string
}

var importRules = []importRule{
	{
		pkg:        module + "/internal/domain",
		transitive: true,
		forbidden:  []string{"github.com/jackc/", "github.com/labstack/", module + "/gen/"},
		why:        "the domain imports no infrastructure (pgx, Echo) and no generated code, not even through another package",
	},
	{
		pkg:       module + "/internal/httpapi",
		forbidden: []string{module + "/gen/dbq", module + "/internal/postgres"},
		why:       "the HTTP layer reaches storage only through the services",
	},
	{
		pkg:       module + "/internal/bus",
		forbidden: []string{module + "/internal/postgres", module + "/gen/dbq"},
		why:       "the event bus does not know where events are stored: it asks its Source",
	},
}

func TestImportDirections(t *testing.T) {
	t.Parallel()
	patterns := make([]string, len(importRules))
	for i, r := range importRules {
		patterns[i] = r.pkg
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps, Dir: "../.."}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatalf("load packages: %v", err)
	}
	byPath := map[string]*packages.Package{}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
		byPath[p.PkgPath] = p
	}
	for _, r := range importRules {
		t.Run(strings.TrimPrefix(r.pkg, module+"/"), func(t *testing.T) {
			p := byPath[r.pkg]
			if p == nil {
				t.Fatalf("package %s not found: has it moved? Update the rule", r.pkg)
			}
			for _, v := range violations(p, r) {
				t.Errorf("%s imports %s (%s)", r.pkg, strings.Join(v, " → "), r.why)
			}
		})
	}
}

// violations returns, for each forbidden package p reaches, the chain of imports leading to it.
func violations(p *packages.Package, r importRule) [][]string {
	var out [][]string
	seen := map[string]bool{}
	var walk func(p *packages.Package, chain []string)
	walk = func(p *packages.Package, chain []string) {
		for _, path := range sortedKeys(p.Imports) {
			if seen[path] {
				continue
			}
			seen[path] = true
			next := append(slices.Clone(chain), path)
			if forbidden(path, r.forbidden) {
				out = append(out, next)
				continue
			}
			if r.transitive {
				walk(p.Imports[path], next)
			}
		}
	}
	walk(p, nil)
	return out
}

func forbidden(path string, rules []string) bool {
	for _, f := range rules {
		if path == f || strings.HasSuffix(f, "/") && (strings.HasPrefix(path, f) || path == strings.TrimSuffix(f, "/")) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestForbiddenMatchesPathsAndPrefixes(t *testing.T) {
	t.Parallel()
	rules := []string{"github.com/jackc/", module + "/gen/dbq"}
	for path, want := range map[string]bool{
		"github.com/jackc/pgx/v5":     true,
		"github.com/jackc":            true,
		"github.com/jackcx/other":     false,
		module + "/gen/dbq":           true,
		module + "/gen/dbqx":          false,
		module + "/internal/domain":   false,
		"github.com/labstack/echo/v4": false,
	} {
		if got := forbidden(path, rules); got != want {
			t.Errorf("forbidden(%q) = %v, want %v", path, got, want)
		}
	}
}
