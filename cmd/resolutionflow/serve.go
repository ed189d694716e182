package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/app"
	"github.com/resolutionflow/resolutionflow/internal/config"
	"github.com/resolutionflow/resolutionflow/internal/demo"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if cfg.JWTSecretIsEphemeral {
		log.Warn("DEV_MODE: JWT_SECRET is not set, so an ephemeral secret was generated; every token dies with this process. Never run like this in production.")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.MigrateOnStart {
		if err := postgres.Migrate(ctx, db.Pool); err != nil {
			return err
		}
	}
	closing := make(chan struct{})
	settings, err := app.SettingsFrom(cfg, closing, log)
	if err != nil {
		return err
	}
	service, err := app.New(db, log, settings)
	if err != nil {
		return err
	}
	background, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	backgroundDone := make(chan struct{})
	go func() {
		defer close(backgroundDone)
		service.Run(background)
	}()
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR=%s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           service.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.RequestTimeout,
		WriteTimeout:      cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "ResolutionFlow listening on http://%s (open it in a browser for the console; API reference: http://%s/docs)\n", ln.Addr(), ln.Addr())
	log.Info("serving", "addr", ln.Addr().String())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: closing streams and draining requests", "timeout", cfg.ShutdownTimeout.String())
	close(closing)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	stopBackground()
	<-backgroundDone
	log.Info("stopped")
	return nil
}

func printDemo(ctx context.Context, db *postgres.DB, reset bool, stdout io.Writer) error {
	signIns, err := demo.Seed(ctx, db, reset)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo account %q with %d published troubleshooting trees — sign in with:\n", demo.AccountName, len(demo.Trees))
	shown := false
	for _, s := range signIns {
		pw := "(password shown when it was created)"
		if s.Password != "" {
			pw, shown = "password "+s.Password, true
		}
		fmt.Fprintf(stdout, "  %-9s %-28s %s\n", s.Role, s.Email, pw)
	}
	if shown {
		fmt.Fprintln(stdout, "These passwords are shown once; `make demo-passwords` sets and shows new ones.")
	} else {
		fmt.Fprintln(stdout, "Forgot them? `make demo-passwords` sets and shows new ones.")
	}
	return nil
}
