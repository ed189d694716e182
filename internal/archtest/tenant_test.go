package archtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// crossAccount lists the queries that deliberately touch tenant tables without filtering on
// account_id, each with the reason. Keep it short: a query lands here only when no account can
// be known yet, or when it is the system's own maintenance across all accounts.
var crossAccount = map[string]string{
	// Sign-in: the email is the global sign-in name, looked up before anyone is authenticated.
	"GetUserByEmail": "sign-in looks the email up before the account is known",
	// Refresh: the presented token (its hash) is the credential, before anyone is authenticated.
	"FindRefreshToken": "a refresh token is found by its hash before the account is known",
	"LockRefreshToken": "a refresh token is found by its hash before the account is known",
	// Retention: one sweep over every account's event history.
	"PruneEscalationEvents": "retention maintenance over every account's events",
	// The email outbox worker serves every account. It leases rows with a random token; the
	// rows it then changes are those it holds under that token, whatever their account.
	"ClaimDueNotification":         "the outbox worker takes the next due email of any account",
	"RenewNotificationLease":       "the outbox worker's lease, keyed by its random lease token",
	"MarkNotificationsSent":        "the outbox worker's outcome for the rows it leased (lease token)",
	"RetryNotifications":           "the outbox worker's outcome for the rows it leased (lease token)",
	"ReleaseNotifications":         "the outbox worker's outcome for the rows it leased (lease token)",
	"FailNotifications":            "the outbox worker's outcome for the rows it leased (lease token)",
	"GetOldestPendingNotification": "the outbox backlog metric, over every account",
}

// TestTenantQueriesFilterByAccount reads every query of db/queries and fails for one that
// touches a tenant table (any table with an account_id column in db/migrations) without
// scoping that table to the caller's account.
func TestTenantQueriesFilterByAccount(t *testing.T) {
	t.Parallel()
	tenant := tenantTables(t, "../../db/migrations")
	for _, want := range []string{"users", "trees", "sessions", "handoffs"} {
		if !tenant[want] {
			t.Fatalf("the migrations were not read right: %s is not a tenant table (found %v)", want, sortedKeys(tenant))
		}
	}
	queries := readQueries(t, "../../db/queries")
	if len(queries) < 50 {
		t.Fatalf("read %d queries from db/queries; there are more: is the -- name: marker still used?", len(queries))
	}
	names := map[string]bool{}
	for _, q := range queries {
		names[q.name] = true
		t.Run(q.name, func(t *testing.T) {
			problems := unscoped(q.sql, tenant)
			_, allowed := crossAccount[q.name]
			switch {
			case len(problems) > 0 && !allowed:
				t.Errorf("%s: %s\nFilter every tenant table on account_id = @account_id (or join it on account_id to one that is), "+
					"or, for a deliberate query across accounts, add it to crossAccount with the reason.", q.file, strings.Join(problems, "; "))
			case len(problems) == 0 && allowed:
				t.Errorf("%s is scoped to the account now: remove it from crossAccount", q.name)
			}
		})
	}
	for name := range crossAccount {
		if !names[name] {
			t.Errorf("crossAccount lists %s, which no longer exists in db/queries", name)
		}
	}
}

// The checker's own cases: what it must catch, and what it must accept.
func TestUnscopedQueries(t *testing.T) {
	t.Parallel()
	tenant := map[string]bool{"users": true, "trees": true, "tree_versions": true, "events": true}
	for _, c := range []struct {
		name, sql string
		problems  int
	}{
		{"plain filter", `SELECT * FROM users WHERE account_id = @account_id AND id = @id`, 0},
		{"sqlc.arg", `SELECT * FROM users WHERE account_id = sqlc.arg(account_id)`, 0},
		{"qualified with a cast", `SELECT * FROM users u WHERE u.account_id = @account_id::uuid`, 0},
		{"reversed", `SELECT * FROM users u WHERE @account_id = u.account_id`, 0},
		{"no filter", `SELECT * FROM users WHERE id = @id`, 1},
		{"filter on another parameter", `SELECT * FROM users WHERE account_id = @user_id`, 1},
		{"nullable filter", `SELECT * FROM users WHERE account_id = sqlc.narg(account_id)`, 1},
		{"optional filter", `SELECT * FROM users WHERE id = @id OR account_id = @account_id`, 1},
		{"optional filter in parentheses", `SELECT * FROM users WHERE (@all::boolean OR account_id = @account_id)`, 1},
		{"join on account", `SELECT * FROM trees t JOIN tree_versions v ON v.account_id = t.account_id AND v.tree_id = t.id WHERE t.account_id = @account_id`, 0},
		{"join on id only", `SELECT * FROM trees t JOIN tree_versions v ON v.tree_id = t.id WHERE t.account_id = @account_id`, 1},
		{"join of two unscoped tables", `SELECT * FROM trees t JOIN tree_versions v ON v.account_id = t.account_id`, 2},
		{"correlated subquery", `SELECT (SELECT count(*) FROM events e WHERE e.account_id = u.account_id) FROM users u WHERE u.account_id = @account_id`, 0},
		{"unscoped subquery", `SELECT (SELECT count(*) FROM events e) FROM users u WHERE u.account_id = @account_id`, 1},
		{"insert values", `INSERT INTO users (account_id, email) VALUES (@account_id, @email) RETURNING *`, 0},
		{"insert without account", `INSERT INTO users (email) VALUES (@email)`, 1},
		{"insert from another parameter", `INSERT INTO users (email, account_id) VALUES (@email, @other)`, 1},
		{"insert select", `INSERT INTO events (account_id, n) SELECT @account_id, 1`, 0},
		{"insert select from a scoped table", `INSERT INTO events (account_id, n) SELECT u.account_id, 1 FROM users u WHERE u.account_id = @account_id`, 0},
		{"insert select from an unscoped table", `INSERT INTO events (account_id, n) SELECT u.account_id, 1 FROM users u`, 2},
		{"update", `UPDATE users SET name = @name WHERE account_id = @account_id AND id = @id`, 0},
		{"update without filter", `UPDATE users SET name = @name WHERE id = @id`, 1},
		{"update of rows a scoped subquery picks", `UPDATE events n SET x = 1 WHERE n.id IN (SELECT d.id FROM events d WHERE d.account_id = @account_id)`, 0},
		{"update of rows an unscoped subquery picks", `UPDATE events n SET x = 1 WHERE n.id IN (SELECT d.id FROM events d WHERE d.x = 1)`, 2},
		{"delete", `DELETE FROM users WHERE account_id = @account_id`, 0},
		{"delete without filter", `DELETE FROM users WHERE created_at < @before`, 1},
		{"no tenant table", `SELECT * FROM accounts WHERE id = @id`, 0},
		{"comment does not count", "SELECT * FROM users -- account_id = @account_id\nWHERE id = @id", 1},
		{"string does not count", `SELECT * FROM users WHERE note = 'account_id = @account_id'`, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := unscoped(c.sql, tenant); len(got) != c.problems {
				t.Errorf("unscoped(%q) = %q, want %d problem(s)", c.sql, got, c.problems)
			}
		})
	}
}

type query struct{ name, file, sql string }

var nameMarker = regexp.MustCompile(`(?m)^--\s*name:\s*(\w+)\s+:\w+.*$`)

// readQueries splits each file of dir on sqlc's -- name: markers.
func readQueries(t *testing.T, dir string) []query {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no queries in %s: %v", dir, err)
	}
	var out []query
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		marks := nameMarker.FindAllStringSubmatchIndex(text, -1)
		for i, m := range marks {
			end := len(text)
			if i+1 < len(marks) {
				end = marks[i+1][0]
			}
			out = append(out, query{name: text[m[2]:m[3]], file: filepath.Base(f), sql: text[m[1]:end]})
		}
	}
	return out
}

var (
	createTable = regexp.MustCompile(`(?is)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*?)\n\);`)
	accountCol  = regexp.MustCompile(`(?im)^\s*account_id\s+\w+`)
	addColumn   = regexp.MustCompile(`(?i)ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)\s+ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?account_id\s`)
)

// tenantTables reads the Up half of every goose migration in dir for the tables that have an
// account_id column.
func tenantTables(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations in %s: %v", dir, err)
	}
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(data), "-- +goose Down")
		up = stripComments(up)
		for _, m := range createTable.FindAllStringSubmatch(up, -1) {
			if accountCol.MatchString(m[2]) {
				out[strings.ToLower(m[1])] = true
			}
		}
		for _, m := range addColumn.FindAllStringSubmatch(up, -1) {
			out[strings.ToLower(m[1])] = true
		}
	}
	return out
}

var (
	lineComment = regexp.MustCompile(`--[^\n]*`)
	quoted      = regexp.MustCompile(`'(?:[^']|'')*'`)
	// accountParam is the caller's account as sqlc binds it: @account_id or
	// sqlc.arg(account_id), possibly cast. sqlc.narg (nullable) does not count.
	accountParam = `(?:@account_id\b|sqlc\.arg\(\s*'?account_id'?\s*\))(?:::uuid\b)?`
	column       = `\b(?:(\w+)\.)?account_id\b`
	anchorLeft   = regexp.MustCompile(`(?i)` + column + `\s*=\s*` + accountParam)
	anchorRight  = regexp.MustCompile(`(?i)` + accountParam + `\s*=\s*` + column)
	isParam      = regexp.MustCompile(`(?i)^` + accountParam + `$`)
	joinOnAcct   = regexp.MustCompile(`(?i)(\w+)\.account_id\s*=\s*(\w+)\.account_id\b`)
	// pickedBy is an outer statement keyed by the ids a subquery of the same table picks.
	pickedBy = regexp.MustCompile(`(?is)(\w+)\.id\s+IN\s*\(\s*SELECT\s+(\w+)\.id\s+FROM\s+(\w+)\s+(\w+)`)
	tableRef = regexp.MustCompile(`(?i)\b(FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?`)
	insert   = regexp.MustCompile(`(?is)\bINSERT\s+INTO\s+(\w+)(?:\s+AS\s+\w+)?\s*\(([^)]*)\)\s*(VALUES|SELECT)\b`)
)

// notAlias are the words that can follow a table name where an alias could stand.
var notAlias = map[string]bool{
	"where": true, "on": true, "join": true, "left": true, "right": true, "inner": true, "full": true, "cross": true,
	"set": true, "group": true, "order": true, "limit": true, "offset": true, "returning": true, "values": true,
	"select": true, "for": true, "union": true, "using": true, "natural": true, "window": true, "having": true,
}

func stripComments(sql string) string { return lineComment.ReplaceAllString(sql, "") }

// unscoped returns what in sql is not scoped to the caller's account: each reference to a
// tenant table must be anchored, that is filtered on account_id = the account parameter outside
// any OR, joined on account_id to an anchored reference, or (for UPDATE … WHERE x.id IN
// (SELECT y.id FROM same_table y …)) keyed by the ids an anchored reference picks; each INSERT
// into a tenant table must set account_id from the parameter or from an anchored reference.
//
// References are told apart by alias, as written: two subqueries that reuse an alias for the
// same table count as one. That is a limit of reading SQL with patterns, not a licence.
func unscoped(sql string, tenant map[string]bool) []string {
	sql = quoted.ReplaceAllString(stripComments(sql), "''")
	refs := map[string]string{} // alias → table, tenant tables only
	var order []string
	for _, m := range tableRef.FindAllStringSubmatch(sql, -1) {
		table := strings.ToLower(m[2])
		if !tenant[table] {
			continue
		}
		alias := strings.ToLower(m[3])
		if alias == "" || notAlias[alias] || strings.EqualFold(m[1], "INTO") {
			alias = table
		}
		if _, ok := refs[alias]; !ok {
			order = append(order, alias)
		}
		refs[alias] = table
	}

	anchored := map[string]bool{}
	for _, re := range []*regexp.Regexp{anchorLeft, anchorRight} {
		for _, loc := range re.FindAllStringSubmatchIndex(sql, -1) {
			if optional(sql, loc[0], loc[1]) {
				continue
			}
			if loc[2] >= 0 {
				anchored[strings.ToLower(sql[loc[2]:loc[3]])] = true
				continue
			}
			// Unqualified: it scopes the references written without an alias.
			for alias, table := range refs {
				if alias == table {
					anchored[alias] = true
				}
			}
		}
	}
	links := map[string][]string{} // alias → aliases whose scope it shares
	for _, loc := range joinOnAcct.FindAllStringSubmatchIndex(sql, -1) {
		if optional(sql, loc[0], loc[1]) {
			continue
		}
		a, b := strings.ToLower(sql[loc[2]:loc[3]]), strings.ToLower(sql[loc[4]:loc[5]])
		links[a] = append(links[a], b)
		links[b] = append(links[b], a)
	}
	for _, m := range pickedBy.FindAllStringSubmatch(sql, -1) {
		outer, inner, table, innerAlias := strings.ToLower(m[1]), strings.ToLower(m[2]), strings.ToLower(m[3]), strings.ToLower(m[4])
		if inner == innerAlias && refs[outer] == table {
			links[inner] = append(links[inner], outer) // one way: the subquery scopes the outer rows
		}
	}
	for changed := true; changed; {
		changed = false
		for a := range anchored {
			for _, b := range links[a] {
				if !anchored[b] {
					anchored[b], changed = true, true
				}
			}
		}
	}

	var problems []string
	inserted := map[string]bool{}
	for _, m := range insert.FindAllStringSubmatchIndex(sql, -1) {
		table := strings.ToLower(sql[m[2]:m[3]])
		if !tenant[table] {
			continue
		}
		inserted[table] = true
		cols := splitTop(sql[m[4]:m[5]])
		i := slices.IndexFunc(cols, func(c string) bool { return strings.EqualFold(c, "account_id") })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("INSERT INTO %s does not set account_id", table))
			continue
		}
		var values []string
		if rest := sql[m[7]:]; strings.EqualFold(sql[m[6]:m[7]], "VALUES") {
			values = splitTop(inParens(rest))
		} else {
			values = splitTop(selectList(rest))
		}
		if i >= len(values) || !fromAccount(values[i], anchored) {
			problems = append(problems, fmt.Sprintf("INSERT INTO %s sets account_id from something other than the account parameter", table))
		}
	}
	for _, alias := range order {
		table := refs[alias]
		if anchored[alias] || alias == table && inserted[table] {
			continue
		}
		what := table
		if alias != table {
			what += " " + alias
		}
		problems = append(problems, fmt.Sprintf("%s is not filtered on account_id", what))
	}
	return problems
}

var qualifiedAccount = regexp.MustCompile(`(?i)^(\w+)\.account_id$`)

func fromAccount(value string, anchored map[string]bool) bool {
	v := strings.TrimSpace(value)
	if isParam.MatchString(v) {
		return true
	}
	if m := qualifiedAccount.FindStringSubmatch(v); m != nil {
		return anchored[strings.ToLower(m[1])]
	}
	return false
}

// optional reports whether the comparison at sql[start:end] is one branch of an OR: whether
// its own parenthesised group (or the statement, at the top) has an OR at its own depth.
func optional(sql string, start, end int) bool {
	depth, open := 0, 0
	for i := start - 1; i >= 0; i-- {
		if sql[i] == ')' {
			depth++
		} else if sql[i] == '(' {
			if depth == 0 {
				open = i + 1
				break
			}
			depth--
		}
	}
	closeAt := len(sql)
	depth = 0
	for i := end; i < len(sql); i++ {
		if sql[i] == '(' {
			depth++
		} else if sql[i] == ')' {
			if depth == 0 {
				closeAt = i
				break
			}
			depth--
		}
	}
	group := sql[open:start] + " " + sql[end:closeAt]
	return orWord.MatchString(topLevel(group))
}

var orWord = regexp.MustCompile(`(?i)\bOR\b`)

// topLevel blanks out everything inside parentheses.
func topLevel(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// splitTop splits on the commas outside parentheses and trims each part.
func splitTop(s string) []string {
	var out []string
	depth, from := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[from:i]))
				from = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[from:]))
}

// inParens returns the contents of the first parenthesised group of s.
func inParens(s string) string {
	start := strings.IndexByte(s, '(')
	if start < 0 {
		return ""
	}
	depth := 0
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[start+1 : i]
			}
		}
	}
	return s[start+1:]
}

var selectEnd = regexp.MustCompile(`(?i)\b(FROM|WHERE|GROUP|ORDER|LIMIT|RETURNING|ON\s+CONFLICT)\b`)

// selectList returns the list of a SELECT up to its FROM (or the end of the statement), at the
// top level of s.
func selectList(s string) string {
	depth := 0
	for i := range len(s) {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		default:
			if depth == 0 && (i == 0 || !isWord(s[i-1])) {
				if loc := selectEnd.FindStringIndex(s[i:]); loc != nil && loc[0] == 0 {
					return s[:i]
				}
			}
		}
	}
	return strings.TrimSuffix(strings.TrimSpace(s), ";")
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
