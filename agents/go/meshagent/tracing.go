package meshagent

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/stats"
)

// DefaultOTLPEndpoint is where spans go unless OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT says otherwise:
// the local Jaeger v2.
const DefaultOTLPEndpoint = "http://127.0.0.1:4317"

var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// newTracerProvider configures tracing from the standard OTEL_* variables: service.name = the
// agent's name unless OTEL_SERVICE_NAME says otherwise, OTLP/gRPC export (OTEL_SDK_DISABLED=true or
// OTEL_TRACES_EXPORTER=none turn it off), the sampler from OTEL_TRACES_SAMPLER. exporter replaces
// OTLP (tests). Without a collector listening the agent runs as usual; export errors are logged at
// most once a minute.
func newTracerProvider(agentName string, exporter sdktrace.SpanExporter, log *slog.Logger) (*sdktrace.TracerProvider, error) {
	res, err := resource.New(context.Background(),
		resource.WithAttributes(attribute.String("service.name", agentName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, err
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if exporter == nil && exporting() {
		var clientOpts []otlptracegrpc.Option
		if os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
			clientOpts = append(clientOpts, otlptracegrpc.WithEndpointURL(DefaultOTLPEndpoint))
		}
		exporter, err = otlptracegrpc.New(context.Background(), clientOpts...)
		if err != nil {
			return nil, err
		}
		otel.SetErrorHandler(&rateLimitedErrors{log: log, every: time.Minute})
	}
	if exporter != nil {
		opts = append(opts, sdktrace.WithBatcher(exporter))
	}
	return sdktrace.NewTracerProvider(opts...), nil
}

func exporting() bool {
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	e := strings.ToLower(strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER")))
	return e != "none"
}

// serverStatsHandler traces AgentService calls, continuing the caller's W3C trace context (health
// checks and reflection are left out: they would flood the trace store).
func serverStatsHandler(tp *sdktrace.TracerProvider) stats.Handler {
	return otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(tp),
		otelgrpc.WithPropagators(propagator),
		otelgrpc.WithFilter(filters.ServicePrefix("meshwork.")),
	)
}

type rateLimitedErrors struct {
	log   *slog.Logger
	every time.Duration
	mu    sync.Mutex
	last  time.Time
}

func (h *rateLimitedErrors) Handle(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.last) < h.every {
		return
	}
	h.last = time.Now()
	h.log.Warn("opentelemetry: " + err.Error() + " (repeats are not logged for a minute)")
}

// TraceLogHandler adds trace_id (of the span in the record's context) to log records, so that log
// lines written inside a call carry its trace.
type TraceLogHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h TraceLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h TraceLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return TraceLogHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h TraceLogHandler) WithGroup(name string) slog.Handler {
	return TraceLogHandler{h.Handler.WithGroup(name)}
}
