package httpapi

import (
	"context"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

func (h *handlers) Register(ctx context.Context, req oapi.RegisterRequestObject) (oapi.RegisterResponseObject, error) {
	reg, err := h.auth.Register(ctx, auth.RegisterInput{
		AccountName: req.Body.AccountName,
		Name:        req.Body.Name,
		Email:       string(req.Body.Email),
		Password:    req.Body.Password,
	})
	if err != nil {
		return nil, err
	}
	tokens, cookie := h.deliver(ctx, reg.Tokens, req.Params.XTokenDelivery != nil)
	return oapi.Register201JSONResponse{
		Body:    oapi.Registration{Account: toAccount(reg.Account), User: toUser(reg.User), Tokens: tokens},
		Headers: oapi.Register201ResponseHeaders{SetCookie: cookie},
	}, nil
}

func (h *handlers) LoginForm(ctx context.Context, req oapi.LoginFormRequestObject) (oapi.LoginFormResponseObject, error) {
	pair, err := h.auth.Login(ctx, req.Body.Username, req.Body.Password, clientAddr(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.LoginForm200JSONResponse(toTokenPair(pair)), nil
}

func (h *handlers) Login(ctx context.Context, req oapi.LoginRequestObject) (oapi.LoginResponseObject, error) {
	pair, err := h.auth.Login(ctx, req.Body.Email, req.Body.Password, clientAddr(ctx))
	if err != nil {
		return nil, err
	}
	body, cookie := h.deliver(ctx, pair, req.Params.XTokenDelivery != nil)
	return oapi.Login200JSONResponse{Body: body, Headers: oapi.Login200ResponseHeaders{SetCookie: cookie}}, nil
}

func (h *handlers) RefreshToken(ctx context.Context, req oapi.RefreshTokenRequestObject) (oapi.RefreshTokenResponseObject, error) {
	viaCookie := req.Params.XTokenDelivery != nil
	token, err := h.presentedRefresh(ctx, viaCookie, req.Body, req.Params.RfRefresh)
	if err != nil {
		return nil, err
	}
	pair, err := h.auth.Refresh(ctx, token)
	if err != nil {
		return nil, err
	}
	body, cookie := h.deliver(ctx, pair, viaCookie)
	return oapi.RefreshToken200JSONResponse{Body: body, Headers: oapi.RefreshToken200ResponseHeaders{SetCookie: cookie}}, nil
}

// Logout always succeeds for its caller: a missing or unknown refresh token leaves nothing to
// revoke, and the console's cookie is cleared either way.
func (h *handlers) Logout(ctx context.Context, req oapi.LogoutRequestObject) (oapi.LogoutResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	viaCookie := req.Params.XTokenDelivery != nil
	token, err := h.presentedRefresh(ctx, viaCookie, req.Body, req.Params.RfRefresh)
	if err != nil && domain.ErrorCode(err) != domain.EUnauthorized {
		return nil, err
	}
	if token != "" {
		if err := h.auth.Logout(ctx, p, token); err != nil {
			return nil, err
		}
	}
	var res oapi.Logout204Response
	if viaCookie {
		res.Headers.SetCookie = h.clearedRefreshCookie(ctx)
	}
	return res, nil
}

func (h *handlers) GetMe(ctx context.Context, _ oapi.GetMeRequestObject) (oapi.GetMeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	acc, u, err := h.auth.Me(ctx, p)
	if err != nil {
		return nil, err
	}
	return oapi.GetMe200JSONResponse{Account: toAccount(acc), User: toUser(u)}, nil
}

func (h *handlers) ChangePassword(ctx context.Context, req oapi.ChangePasswordRequestObject) (oapi.ChangePasswordResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.auth.ChangePassword(ctx, p, req.Body.CurrentPassword, req.Body.NewPassword); err != nil {
		return nil, err
	}
	return oapi.ChangePassword204Response{}, nil
}

func (h *handlers) UpdateMe(ctx context.Context, req oapi.UpdateMeRequestObject) (oapi.UpdateMeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	acc, u, err := h.auth.UpdateMe(ctx, p, req.Body.Name, req.Body.EscalationEmails)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateMe200JSONResponse{Account: toAccount(acc), User: toUser(u)}, nil
}
