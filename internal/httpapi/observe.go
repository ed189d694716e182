package httpapi

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/resolutionflow/resolutionflow/internal/bus"
)

// metrics are the request counters exported at /metrics.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "resolutionflow_http_requests_total",
			Help: "HTTP requests by operation, method and status.",
		}, []string{"operation", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "resolutionflow_http_request_duration_seconds",
			Help:    "HTTP request latency by operation, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "method", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe writes one log line and one metric sample per request. It lets the error handler write
// the response first, so that both see the status the client saw.
func observe(log *slog.Logger, m *metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			elapsed := time.Since(start)
			status := c.Response().Status
			op, _ := c.Get(operationKey).(string)
			if op == "" {
				op = "unmatched"
			}
			m.requests.WithLabelValues(op, c.Request().Method, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(op, c.Request().Method, strconv.Itoa(status)).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if serverFault(status) && c.Request().Context().Err() == nil {
				level = slog.LevelError
			}
			log.LogAttrs(context.WithoutCancel(c.Request().Context()), level, "request",
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", c.Request().Method),
				slog.String("path", c.Request().URL.Path),
				slog.String("operation", op),
				slog.Int("status", status),
				slog.Int64("bytes", c.Response().Size),
				slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
				slog.String("remote", c.RealIP()),
			)
			return nil
		}
	}
}

// deadline bounds every request's context, so that database calls of a slow request are
// cancelled rather than piling up. Streams at the paths in unbounded live until they end.
func deadline(d time.Duration, unbounded ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if slices.Contains(unbounded, c.Path()) {
				return next(c)
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// registerStreamMetrics exports the live streams of this process: how many are open, how many
// subscribers were dropped for falling behind, and how many resumes were told to reset.
func registerStreamMetrics(reg prometheus.Registerer, hub *bus.Hub, s *streamer) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "resolutionflow_streams_open",
			Help: "Live escalation streams open on this process.",
		}, func() float64 { return float64(hub.Open()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "resolutionflow_stream_slow_consumers_dropped_total",
			Help: "Live streams ended because their client fell too far behind (it replays on reconnect).",
		}, func() float64 { return float64(hub.Dropped()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "resolutionflow_stream_resets_total",
			Help: "Resumed live streams told to reset because the history they missed was pruned.",
		}, func() float64 { return float64(s.resets.Load()) }),
	)
}

// Outbox is what the metrics need of the email worker.
type Outbox interface {
	Sent() int64
	Retried() int64
	GaveUp() int64
	OldestPending(ctx context.Context) (time.Duration, error)
}

// registerOutboxMetrics exports the email outbox: emails sent, retried and given up by this
// process, and how long the oldest email still to send has waited (the whole outbox's).
func registerOutboxMetrics(reg prometheus.Registerer, o Outbox, log *slog.Logger) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "resolutionflow_emails_sent_total",
			Help: "Handoff emails sent by this process (a digest counts each handoff it carries).",
		}, func() float64 { return float64(o.Sent()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "resolutionflow_emails_retried_total",
			Help: "Handoff emails that failed and were scheduled to be tried again.",
		}, func() float64 { return float64(o.Retried()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "resolutionflow_emails_given_up_total",
			Help: "Handoff emails given up after their last attempt.",
		}, func() float64 { return float64(o.GaveUp()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "resolutionflow_email_oldest_pending_seconds",
			Help: "How long the oldest handoff email still to send has waited (0 when none waits, -1 when it cannot be read).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			age, err := o.OldestPending(ctx)
			if err != nil {
				log.Warn("the email outbox's backlog could not be measured", "error", err)
				return -1
			}
			return age.Seconds()
		}),
	)
}
