package httpapi

import (
	"context"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/users"
)

func (h *handlers) ListUsers(ctx context.Context, req oapi.ListUsersRequestObject) (oapi.ListUsersResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	f := users.Filter{Active: req.Params.Active, Limit: limit, Offset: offset}
	if req.Params.Role != nil {
		role := domain.Role(*req.Params.Role)
		f.Role = &role
	}
	list, total, err := h.users.List(ctx, p, f)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.User, len(list))
	for i, u := range list {
		items[i] = toUser(u)
	}
	return oapi.ListUsers200JSONResponse{Items: items, Total: total, Limit: limit, Offset: offset}, nil
}

func (h *handlers) CreateUser(ctx context.Context, req oapi.CreateUserRequestObject) (oapi.CreateUserResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.users.Create(ctx, p, users.NewUser{
		Email:    string(req.Body.Email),
		Name:     req.Body.Name,
		Role:     domain.Role(req.Body.Role),
		Password: req.Body.Password,
	})
	if err != nil {
		return nil, err
	}
	location := "/api/v1/users/" + u.ID.String()
	return oapi.CreateUser201JSONResponse{Body: toUser(u), Headers: oapi.CreateUser201ResponseHeaders{Location: &location}}, nil
}

func (h *handlers) GetUser(ctx context.Context, req oapi.GetUserRequestObject) (oapi.GetUserResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.users.Get(ctx, p, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetUser200JSONResponse(toUser(u)), nil
}

func (h *handlers) UpdateUser(ctx context.Context, req oapi.UpdateUserRequestObject) (oapi.UpdateUserResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	patch := users.Patch{Name: req.Body.Name, Active: req.Body.Active, Password: req.Body.Password}
	if req.Body.Role != nil {
		role := domain.Role(*req.Body.Role)
		patch.Role = &role
	}
	u, err := h.users.Update(ctx, p, req.Id, patch)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateUser200JSONResponse(toUser(u)), nil
}

func (h *handlers) DeactivateUser(ctx context.Context, req oapi.DeactivateUserRequestObject) (oapi.DeactivateUserResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.users.Deactivate(ctx, p, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeactivateUser204Response{}, nil
}
