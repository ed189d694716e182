package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/trees"
)

func (h *handlers) ListTrees(ctx context.Context, req oapi.ListTreesRequestObject) (oapi.ListTreesResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	f := trees.Filter{Category: req.Params.Category, Tag: req.Params.Tag, Limit: limit, Offset: offset}
	if req.Params.Status != nil {
		st := domain.TreeStatus(*req.Params.Status)
		f.Status = &st
	}
	list, total, err := h.trees.List(ctx, p, f)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.TreeSummary, len(list))
	for i, t := range list {
		items[i] = toTreeSummary(t)
	}
	return oapi.ListTrees200JSONResponse{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

func (h *handlers) CreateTree(ctx context.Context, req oapi.CreateTreeRequestObject) (oapi.CreateTreeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	t, err := h.trees.Create(ctx, p, fromTreeWrite(*req.Body))
	if err != nil {
		return nil, err
	}
	etag, location := t.ETag(), "/api/v1/trees/"+t.ID.String()
	return oapi.CreateTree201JSONResponse{Body: toTreeBody(t), Headers: oapi.CreateTree201ResponseHeaders{ETag: &etag, Location: &location}}, nil
}

func (h *handlers) GetTree(ctx context.Context, req oapi.GetTreeRequestObject) (oapi.GetTreeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	t, definition, err := h.trees.GetEncoded(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	res := treeWithStoredDefinition{summary: toTreeSummary(t), definition: definition, etag: t.ETag()}
	if t.Status == domain.TreeDraft {
		def, err := domain.DecodeDefinition(definition)
		if err != nil {
			return nil, err
		}
		res.problems = toProblemErrors(domain.PublishProblems(def))
	}
	return res, nil
}

// treeWithStoredDefinition answers GET /trees/{id} with the definition as stored. The stored
// JSON is the contract's TreeDefinition (domain.Definition carries the same field names and was
// validated on write), so it is spliced in rather than decoded and encoded again.
type treeWithStoredDefinition struct {
	summary    oapi.TreeSummary
	definition []byte
	problems   []oapi.ProblemError // drafts only
	etag       string
}

func (r treeWithStoredDefinition) VisitGetTreeResponse(w http.ResponseWriter) error {
	head, err := json.Marshal(r.summary)
	if err != nil {
		return err
	}
	var tail []byte
	if r.problems != nil {
		problems, err := json.Marshal(r.problems)
		if err != nil {
			return err
		}
		tail = append([]byte(`,"problems":`), problems...)
	}
	head = append(head[:len(head)-1], `,"definition":`...)
	tail = append(tail, "}\n"...)
	// Written in pieces: the definition, most of the body, goes out as read from the database,
	// never copied into a response-sized buffer; with its length known, net/http writes the
	// pieces as they are rather than as chunks.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(r.definition)+len(tail)))
	w.Header().Set("ETag", r.etag)
	w.WriteHeader(http.StatusOK)
	for _, part := range [][]byte{head, r.definition, tail} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

func (h *handlers) UpdateTree(ctx context.Context, req oapi.UpdateTreeRequestObject) (oapi.UpdateTreeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	t, err := h.trees.Update(ctx, p, req.Id, deref(req.Params.IfMatch), fromTreeWrite(*req.Body))
	if err != nil {
		return nil, err
	}
	etag := t.ETag()
	return oapi.UpdateTree200JSONResponse{Body: toTreeBody(t), Headers: oapi.UpdateTree200ResponseHeaders{ETag: &etag}}, nil
}

func (h *handlers) DeleteTree(ctx context.Context, req oapi.DeleteTreeRequestObject) (oapi.DeleteTreeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.trees.Archive(ctx, p, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteTree204Response{}, nil
}

func (h *handlers) ListTreeCategories(ctx context.Context, _ oapi.ListTreeCategoriesRequestObject) (oapi.ListTreeCategoriesResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	cats, err := h.trees.Categories(ctx, p)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.TreeCategory, len(cats))
	for i, c := range cats {
		items[i] = oapi.TreeCategory{Category: c.Name, Count: c.Trees}
	}
	return oapi.ListTreeCategories200JSONResponse{Items: items}, nil
}

func (h *handlers) SearchTrees(ctx context.Context, req oapi.SearchTreesRequestObject) (oapi.SearchTreesResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, _ := page(req.Params.Limit, nil)
	hits, err := h.trees.Search(ctx, p, req.Params.Q, limit)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.TreeSearchHit, len(hits))
	for i, hit := range hits {
		items[i] = oapi.TreeSearchHit{Tree: toTreeSummary(hit.Tree), Rank: hit.Rank, Snippet: hit.Snippet}
	}
	return oapi.SearchTrees200JSONResponse{Items: items}, nil
}

func (h *handlers) ListTreeVersions(ctx context.Context, req oapi.ListTreeVersionsRequestObject) (oapi.ListTreeVersionsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	versions, err := h.trees.Versions(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.TreeVersionInfo, len(versions))
	for i, v := range versions {
		items[i] = toVersionInfo(v)
	}
	return oapi.ListTreeVersions200JSONResponse{Items: items}, nil
}

func (h *handlers) GetTreeVersion(ctx context.Context, req oapi.GetTreeVersionRequestObject) (oapi.GetTreeVersionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.trees.Version(ctx, p, req.Id, req.Version)
	if err != nil {
		return nil, err
	}
	info := toVersionInfo(v)
	return oapi.GetTreeVersion200JSONResponse{
		TreeId: info.TreeId, Version: info.Version, CreatedBy: info.CreatedBy, CreatedAt: info.CreatedAt,
		Definition: toDefinition(v.Definition),
	}, nil
}

func (h *handlers) GetTreeAnalytics(ctx context.Context, req oapi.GetTreeAnalyticsRequestObject) (oapi.GetTreeAnalyticsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	versions, err := h.trees.Analytics(ctx, p, req.Id, trees.Range{From: req.Params.From, To: req.Params.To})
	if err != nil {
		return nil, err
	}
	out := make([]oapi.TreeVersionAnalytics, len(versions))
	for i, v := range versions {
		out[i] = toAnalytics(v)
	}
	return oapi.GetTreeAnalytics200JSONResponse{TreeId: req.Id, Versions: out}, nil
}
