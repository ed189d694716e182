// Package trees is the decision-tree use cases: authoring with versions and optimistic edits,
// reading (viewers see published trees only), search and analytics.
package trees

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Service reads and writes the trees of the caller's account. A tree of another account, or a
// tree the caller's role may not see, is reported as ENotFound, exactly like a missing one.
type Service struct {
	db *postgres.DB
}

// NewService returns the tree use cases.
func NewService(db *postgres.DB) *Service { return &Service{db: db} }

// Input is what an author writes: the whole tree, replacing the previous state.
type Input struct {
	Title       string
	Description string
	Category    string
	Tags        []string
	Status      domain.TreeStatus
	Definition  domain.Definition
}

// publishedOnly is true for callers who may read published trees only.
func publishedOnly(p domain.Principal) bool { return !p.Role.AtLeast(domain.RoleEngineer) }

func requireRole(p domain.Principal, role domain.Role, what string) error {
	if !p.Role.AtLeast(role) {
		return domain.Errorf(domain.EForbidden, "%s needs the %s role; you are %s", what, role, p.Role.Article())
	}
	return nil
}

func notFound(id uuid.UUID) error {
	return domain.Errorf(domain.ENotFound, "tree %s does not exist in your account", id)
}

// Create stores a new tree as version 1. It returns EInvalid listing every problem of the
// definition, each naming its node.
func (s *Service) Create(ctx context.Context, p domain.Principal, in Input) (domain.Tree, error) {
	if err := requireRole(p, domain.RoleEngineer, "authoring trees"); err != nil {
		return domain.Tree{}, err
	}
	def, err := checkInput(in)
	if err != nil {
		return domain.Tree{}, err
	}
	var created dbq.Tree
	err = s.db.InTx(ctx, func(q *dbq.Queries) error {
		created, err = q.CreateTree(ctx, dbq.CreateTreeParams{
			AccountID: p.AccountID, Title: in.Title, Description: in.Description, Category: in.Category,
			Tags: normalTags(in.Tags), Status: string(in.Status), CreatedBy: p.UserID,
		})
		if err != nil {
			return fmt.Errorf("create tree: %w", err)
		}
		if err := q.CreateTreeVersion(ctx, dbq.CreateTreeVersionParams{
			AccountID: p.AccountID, TreeID: created.ID, Version: 1, Definition: def, CreatedBy: p.UserID,
		}); err != nil {
			return fmt.Errorf("store version 1: %w", err)
		}
		return index(ctx, q, created, in.Definition)
	})
	if err != nil {
		return domain.Tree{}, err
	}
	return toTree(created, in.Definition), nil
}

// Get returns a tree with its current definition.
func (s *Service) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Tree, error) {
	t, raw, err := s.GetEncoded(ctx, p, id)
	if err != nil {
		return domain.Tree{}, err
	}
	t.Definition, err = domain.DecodeDefinition(raw)
	return t, err
}

// GetEncoded returns a tree and its current definition still encoded as the JSON of
// domain.Definition, for callers that only pass the definition on: decoding a large definition
// is most of the cost of the hottest read.
func (s *Service) GetEncoded(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Tree, []byte, error) {
	row, err := s.db.GetTree(ctx, dbq.GetTreeParams{AccountID: p.AccountID, ID: id, PublishedOnly: publishedOnly(p)})
	if postgres.IsNoRows(err) {
		return domain.Tree{}, nil, notFound(id)
	}
	if err != nil {
		return domain.Tree{}, nil, fmt.Errorf("get tree: %w", err)
	}
	return toTree(row.Tree, domain.Definition{}), row.Definition, nil
}

// Update replaces a tree. ifMatch must be the tree's current ETag: EUnconditional when it is
// missing, EStale when someone changed the tree since the caller read it. A changed definition
// becomes a new version; earlier versions stay readable and pinned sessions keep theirs.
func (s *Service) Update(ctx context.Context, p domain.Principal, id uuid.UUID, ifMatch string, in Input) (domain.Tree, error) {
	if err := requireRole(p, domain.RoleEngineer, "authoring trees"); err != nil {
		return domain.Tree{}, err
	}
	if ifMatch == "" {
		return domain.Tree{}, domain.Errorf(domain.EUnconditional, "send If-Match with the ETag from your last read of the tree, so that nobody's edit is overwritten unseen")
	}
	def, err := checkInput(in)
	if err != nil {
		return domain.Tree{}, err
	}
	var updated dbq.Tree
	err = s.db.InTx(ctx, func(q *dbq.Queries) error {
		cur, err := q.LockTreeForUpdate(ctx, dbq.LockTreeForUpdateParams{AccountID: p.AccountID, ID: id})
		if postgres.IsNoRows(err) {
			return notFound(id)
		}
		if err != nil {
			return fmt.Errorf("lock tree: %w", err)
		}
		if etag := toTree(cur, domain.Definition{}).ETag(); !etagMatches(ifMatch, etag) {
			return domain.Errorf(domain.EStale, "the tree changed since you read it (now %s): read it again and reapply your edit", etag)
		}
		old, err := q.GetTreeVersion(ctx, dbq.GetTreeVersionParams{AccountID: p.AccountID, TreeID: id, Version: cur.CurrentVersion})
		if err != nil {
			return fmt.Errorf("read current version: %w", err)
		}
		version := cur.CurrentVersion
		if !sameJSON(old.Definition, def) {
			version++
			if err := q.CreateTreeVersion(ctx, dbq.CreateTreeVersionParams{
				AccountID: p.AccountID, TreeID: id, Version: version, Definition: def, CreatedBy: p.UserID,
			}); err != nil {
				return fmt.Errorf("store version %d: %w", version, err)
			}
		}
		updated, err = q.UpdateTree(ctx, dbq.UpdateTreeParams{
			AccountID: p.AccountID, ID: id, Title: in.Title, Description: in.Description, Category: in.Category,
			Tags: normalTags(in.Tags), Status: string(in.Status), CurrentVersion: version,
		})
		if err != nil {
			return fmt.Errorf("update tree: %w", err)
		}
		return index(ctx, q, updated, in.Definition)
	})
	if err != nil {
		return domain.Tree{}, err
	}
	return toTree(updated, in.Definition), nil
}

// Archive retires a tree: it leaves listings and search, and no session can start on it, but
// sessions that ran on it stay readable with their pinned version. Archiving twice is harmless.
func (s *Service) Archive(ctx context.Context, p domain.Principal, id uuid.UUID) error {
	if err := requireRole(p, domain.RoleAdmin, "deleting trees"); err != nil {
		return err
	}
	if _, err := s.Get(ctx, p, id); err != nil {
		return err
	}
	if _, err := s.db.ArchiveTree(ctx, dbq.ArchiveTreeParams{AccountID: p.AccountID, ID: id}); err != nil {
		return fmt.Errorf("archive tree: %w", err)
	}
	return nil
}

// Filter narrows a listing; nil fields do not filter.
type Filter struct {
	Category *string
	Tag      *string
	Status   *domain.TreeStatus
	Limit    int32
	Offset   int32
}

// List returns a page of trees (without definitions) and the number matching the filter.
// Archived trees are listed only when asked for by status.
func (s *Service) List(ctx context.Context, p domain.Principal, f Filter) ([]domain.Tree, int64, error) {
	var status *string
	if f.Status != nil {
		st := string(*f.Status)
		status = &st
	}
	if f.Tag != nil {
		tag := strings.ToLower(strings.TrimSpace(*f.Tag)) // tags are stored normalised
		f.Tag = &tag
	}
	rows, err := s.db.ListTrees(ctx, dbq.ListTreesParams{
		AccountID: p.AccountID, PublishedOnly: publishedOnly(p), Status: status, Category: f.Category, Tag: f.Tag,
		MaxRows: f.Limit, SkipRows: f.Offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list trees: %w", err)
	}
	total, err := s.db.CountTrees(ctx, dbq.CountTreesParams{
		AccountID: p.AccountID, PublishedOnly: publishedOnly(p), Status: status, Category: f.Category, Tag: f.Tag,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("count trees: %w", err)
	}
	out := make([]domain.Tree, len(rows))
	for i, r := range rows {
		out[i] = toTree(r, domain.Definition{})
	}
	return out, total, nil
}

// Category is a category in use and its number of trees.
type Category struct {
	Name  string
	Trees int64
}

// Categories lists the categories of the trees the caller can see.
func (s *Service) Categories(ctx context.Context, p domain.Principal) ([]Category, error) {
	rows, err := s.db.ListTreeCategories(ctx, dbq.ListTreeCategoriesParams{AccountID: p.AccountID, PublishedOnly: publishedOnly(p)})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	out := make([]Category, len(rows))
	for i, r := range rows {
		out[i] = Category{Name: r.Category, Trees: r.Trees}
	}
	return out, nil
}

// Versions lists a tree's versions, newest first, each with its author's name and what it
// changed in the version before it; the definitions themselves are left out.
func (s *Service) Versions(ctx context.Context, p domain.Principal, id uuid.UUID) ([]domain.TreeVersion, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.ListTreeVersions(ctx, dbq.ListTreeVersionsParams{AccountID: p.AccountID, TreeID: id})
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defs := make([]domain.Definition, len(rows))
	for i, r := range rows {
		if defs[i], err = domain.DecodeDefinition(r.Definition); err != nil {
			return nil, err
		}
	}
	out := make([]domain.TreeVersion, len(rows))
	for i, r := range rows {
		out[i] = domain.TreeVersion{TreeID: r.TreeID, Version: r.Version, CreatedBy: r.CreatedBy, CreatedByName: r.CreatedByName, CreatedAt: r.CreatedAt}
		if i+1 < len(rows) {
			changes := domain.DiffDefinitions(defs[i+1], defs[i])
			out[i].Changes = &changes
		}
	}
	return out, nil
}

// Version returns one version of a tree with its definition.
func (s *Service) Version(ctx context.Context, p domain.Principal, id uuid.UUID, version int32) (domain.TreeVersion, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return domain.TreeVersion{}, err
	}
	row, err := s.db.GetTreeVersion(ctx, dbq.GetTreeVersionParams{AccountID: p.AccountID, TreeID: id, Version: version})
	if postgres.IsNoRows(err) {
		return domain.TreeVersion{}, domain.Errorf(domain.ENotFound, "tree %s has no version %d", id, version)
	}
	if err != nil {
		return domain.TreeVersion{}, fmt.Errorf("get version: %w", err)
	}
	def, err := domain.DecodeDefinition(row.Definition)
	if err != nil {
		return domain.TreeVersion{}, err
	}
	return domain.TreeVersion{TreeID: id, Version: row.Version, Definition: def, CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt}, nil
}

func checkInput(in Input) ([]byte, error) {
	if problems := domain.ValidateDefinition(in.Definition, in.Status); len(problems) > 0 {
		e := &domain.Error{Code: domain.EInvalid, Message: fmt.Sprintf("the tree definition has %d problem(s): see errors", len(problems))}
		for _, pr := range problems {
			e.Fields = append(e.Fields, domain.FieldError{Pointer: pr.Pointer, NodeID: pr.NodeID, Detail: pr.Detail})
		}
		return nil, e
	}
	def, err := json.Marshal(in.Definition)
	if err != nil {
		return nil, fmt.Errorf("encode definition: %w", err)
	}
	return def, nil
}

// sameJSON compares a stored jsonb definition with a new one by meaning, not by bytes (jsonb
// reorders keys).
func sameJSON(stored, next []byte) bool {
	a, errA := domain.DecodeDefinition(stored)
	b, errB := domain.DecodeDefinition(next)
	if errA != nil || errB != nil {
		return false
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// etagMatches applies If-Match's strong comparison (RFC 9110 §13.1.1): a weak tag never matches.
func etagMatches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == etag || candidate == "*" {
			return true
		}
	}
	return false
}

func normalTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// maxIndexedText bounds the node text indexed for search: PostgreSQL refuses a tsvector over
// 1 MB, and a tree at the definition limits can carry more text than that. Text beyond it is
// still stored and shown, only not searchable.
const maxIndexedText = 512 << 10

// index refreshes the tree's search document from its current state.
func index(ctx context.Context, q *dbq.Queries, t dbq.Tree, def domain.Definition) error {
	var text strings.Builder
	for _, n := range def.Nodes {
		if text.Len() >= maxIndexedText {
			break
		}
		text.WriteString(n.Text)
		text.WriteByte('\n')
		if n.Help != "" {
			text.WriteString(n.Help)
			text.WriteByte('\n')
		}
		for _, o := range n.Options {
			text.WriteString(o.Label)
			text.WriteByte('\n')
		}
	}
	nodeText := text.String()
	if len(nodeText) > maxIndexedText {
		nodeText = strings.ToValidUTF8(nodeText[:maxIndexedText], "")
	}
	err := q.UpsertTreeSearch(ctx, dbq.UpsertTreeSearchParams{
		AccountID: t.AccountID, TreeID: t.ID, Title: t.Title, Description: t.Description,
		TagsText: strings.Join(t.Tags, " "), NodeText: nodeText,
	})
	if err != nil {
		return fmt.Errorf("index tree: %w", err)
	}
	return nil
}

func toTree(r dbq.Tree, def domain.Definition) domain.Tree {
	return domain.Tree{
		ID: r.ID, AccountID: r.AccountID, Title: r.Title, Description: r.Description, Category: r.Category,
		Tags: r.Tags, Status: domain.TreeStatus(r.Status), CurrentVersion: r.CurrentVersion, Revision: r.Revision,
		Definition: def, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}
