// Package meshagent is a small SDK for Meshwork agents written in Go.
//
// An agent declares skills and calls Run; the SDK serves meshwork.agent.v1.AgentService over mTLS
// with the agent's agent/<name> identity, checks callers against the authorization policy, serves
// grpc.health.v1 and server reflection, registers with the registry and renews its lease, traces
// calls with OpenTelemetry (continuing the caller's W3C trace context), maps failures to gRPC
// statuses with google.rpc error details, and drains gracefully on SIGTERM. Configuration comes
// from MESHWORK_* and OTEL_* environment variables (see Config and tracing.go).
//
//	a := meshagent.New(meshagent.Info{Name: "go-echo", Version: "0.1.0"})
//	a.AddSkill(meshagent.Skill{ID: "go.echo", Handler: func(ctx context.Context, call *meshagent.Call, in []*commonv1.Part) ([]*commonv1.Part, error) {
//		return in, nil
//	}})
//	a.Run()
//
// Shutdown order (SIGTERM/SIGINT, or Stop): deregister from the registry first (so clients stop
// picking this instance), then health NOT_SERVING, then refuse new AgentService calls and let those
// in flight finish within the grace period (MESHWORK_GRACE_PERIOD), then stop the server.
package meshagent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	agentv1 "dev.meshwork/agents/go/gen/meshwork/agent/v1"
	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	registryv1 "dev.meshwork/agents/go/gen/meshwork/registry/v1"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/orca"
	"google.golang.org/grpc/reflection"
)

// Info describes an agent: its card (besides the skills) and its default port.
type Info struct {
	Name        string
	Version     string
	Description string
	Labels      map[string]string
	DefaultPort int
}

// Agent is an agent: its card, its skills and, once started, its server and registration.
type Agent struct {
	info   Info
	skills []Skill
	log    *slog.Logger

	// SpanExporter replaces the OTLP exporter when set before Start (tests).
	SpanExporter sdktrace.SpanExporter

	config       *Config
	server       *grpc.Server
	listener     net.Listener
	health       *health.Server
	calls        *calls
	registration *registration
	tracer       *sdktrace.TracerProvider
	load         orca.ServerMetricsRecorder

	stopOnce sync.Once
	stopped  chan struct{}
}

// New is an agent with no skills yet.
func New(info Info) *Agent {
	return &Agent{info: info, log: slog.Default(), stopped: make(chan struct{})}
}

// AddSkill declares a skill; ids must be unique.
func (a *Agent) AddSkill(s Skill) {
	for _, existing := range a.skills {
		if existing.ID == s.ID {
			panic(fmt.Sprintf("skill '%s' declared twice", s.ID))
		}
	}
	if s.Name == "" {
		s.Name = s.ID
	}
	if len(s.InputModes) == 0 {
		s.InputModes = []string{"text/plain"}
	}
	if len(s.OutputModes) == 0 {
		s.OutputModes = []string{"text/plain"}
	}
	a.skills = append(a.skills, s)
}

// Name is the agent's name.
func (a *Agent) Name() string { return a.info.Name }

// Card is the agent card served by GetAgentCard and registered with the registry.
func (a *Agent) Card() *commonv1.AgentCard {
	card := &commonv1.AgentCard{Name: a.info.Name, Description: a.info.Description, Version: a.info.Version, Labels: a.info.Labels}
	for _, s := range a.skills {
		card.Skills = append(card.Skills, &commonv1.Skill{Id: s.ID, Name: s.Name, Description: s.Description, Tags: s.Tags,
			InputModes: s.InputModes, OutputModes: s.OutputModes, Examples: s.Examples})
	}
	return card
}

// Start binds the port, marks the services SERVING and starts registering. Non-blocking.
func (a *Agent) Start(config *Config) error {
	if len(a.skills) == 0 {
		return errors.New("an agent needs at least one skill")
	}
	if config.Name != a.info.Name {
		return fmt.Errorf("config for agent '%s' given to agent '%s'", config.Name, a.info.Name)
	}
	a.config = config
	tp, err := newTracerProvider(a.info.Name, a.SpanExporter, a.log)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	a.tracer = tp
	if _, isSDK := otel.GetTracerProvider().(*sdktrace.TracerProvider); !isSDK {
		otel.SetTracerProvider(tp) // for handlers' own spans
		otel.SetTextMapPropagator(propagator)
	}

	var files *tlsFiles
	opts := []grpc.ServerOption{
		grpc.StatsHandler(serverStatsHandler(tp)),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}
	if config.Insecure {
		opts = append(opts, grpc.Creds(insecure.NewCredentials()))
	} else {
		if files, err = loadTLS(*config.TLS); err != nil {
			return err
		}
		policy, err := AgentPolicy(config.PolicyFile)
		if err != nil {
			return err
		}
		authz := &authorizer{policy: policy, trustDomain: config.TrustDomain, log: a.log}
		opts = append(opts, grpc.Creds(credentials.NewTLS(files.serverConfig())),
			grpc.ChainUnaryInterceptor(authz.unary), grpc.ChainStreamInterceptor(authz.stream))
	}
	a.calls = newCalls(config.MaxConcurrency)
	// ORCA: every response's trailer carries this instance's load (utilization = calls in flight /
	// MESHWORK_MAX_CONCURRENCY, and QPS), which clients' weighted_round_robin balancing reads.
	a.load = orca.NewServerMetricsRecorder()
	opts = append(opts, orca.CallMetricsServerOption(a.load))
	card := a.Card()
	skills := map[string]Skill{}
	for _, s := range a.skills {
		skills[s.ID] = s
	}
	a.server = grpc.NewServer(opts...)
	agentv1.RegisterAgentServiceServer(a.server, &agentService{card: card, skills: skills, calls: a.calls, log: a.log})
	a.health = health.NewServer()
	healthpb.RegisterHealthServer(a.server, a.health)
	reflection.Register(a.server)

	address := net.JoinHostPort(config.Host, fmt.Sprint(config.Port))
	lis, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", address, err)
	}
	a.listener = lis
	go func() {
		if err := a.server.Serve(lis); err != nil {
			a.log.Error("server stopped", "error", err)
		}
	}()
	a.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	a.health.SetServingStatus(agentv1.AgentService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	go a.reportLoad()
	mode := "mTLS as spiffe://" + config.TrustDomain + "/" + config.Identity()
	if config.Insecure {
		mode = "INSECURE plaintext dev mode"
	}
	a.log.Info("agent serving", "agent", a.info.Name, "address", lis.Addr().String(), "mode", mode)

	if config.Registry == "" {
		a.log.Info("MESHWORK_REGISTRY=none: not registering")
		return nil
	}
	creds := insecure.NewCredentials()
	if files != nil {
		creds = credentials.NewTLS(files.clientConfig())
	}
	conn, err := grpc.NewClient(config.Registry, grpc.WithTransportCredentials(creds),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second}))
	if err != nil {
		return fmt.Errorf("MESHWORK_REGISTRY: '%s': %w", config.Registry, err)
	}
	a.registration = &registration{
		client: registryv1.NewRegistryServiceClient(conn), conn: conn, target: config.Registry, card: card,
		endpoint: &commonv1.Endpoint{Host: config.AdvertiseHost, Port: int32(a.Port())},
		ttl:      config.LeaseTTL, load: a.calls.load, minBackoff: 200 * time.Millisecond, log: a.log,
	}
	a.registration.start()
	return nil
}

// reportLoad refreshes the ORCA load figures every second until the agent stops.
func (a *Agent) reportLoad() {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	var lastServed int64
	last := time.Now()
	for {
		select {
		case <-a.stopped:
			return
		case now := <-ticker.C:
			a.calls.mu.Lock()
			served, inFlight := a.calls.served, a.calls.inFlight
			a.calls.mu.Unlock()
			a.load.SetQPS(float64(served-lastServed) / now.Sub(last).Seconds())
			a.load.SetApplicationUtilization(float64(inFlight) / float64(a.calls.max))
			lastServed, last = served, now
		}
	}
}

// Port is the bound port (useful when configured as 0).
func (a *Agent) Port() int { return a.listener.Addr().(*net.TCPAddr).Port }

// InstanceID is the registry's id of this instance, once registered.
func (a *Agent) InstanceID() string {
	if a.registration == nil {
		return ""
	}
	return a.registration.InstanceID()
}

// InFlight is the number of AgentService calls being served.
func (a *Agent) InFlight() int { n, _ := a.calls.load(); return n }

// Cancelled is the number of calls whose caller cancelled or whose deadline passed before they
// finished.
func (a *Agent) Cancelled() int64 {
	a.calls.mu.Lock()
	defer a.calls.mu.Unlock()
	return a.calls.cancelled
}

// Stop drains and stops (idempotent): deregister, NOT_SERVING, finish in-flight calls within grace
// (negative: the configured grace period), stop the server, flush spans.
func (a *Agent) Stop(grace time.Duration) {
	a.stopOnce.Do(func() {
		defer close(a.stopped)
		if grace < 0 {
			grace = a.config.GracePeriod
		}
		if a.registration != nil {
			a.registration.deregister(2 * time.Second)
		}
		a.health.Shutdown() // NOT_SERVING for every service, sent to watchers too
		inFlight, _ := a.calls.load()
		a.log.Info("draining", "in_flight", inFlight, "grace_period", grace.String())
		if !a.calls.drain(grace) {
			inFlight, _ = a.calls.load()
			a.log.Warn("grace period over; cancelling the calls left", "in_flight", inFlight)
		}
		// Let the last responses go out, then cancel what is left (health watches, calls past the
		// grace period).
		graceful := make(chan struct{})
		go func() { a.server.GracefulStop(); close(graceful) }()
		select {
		case <-graceful:
		case <-time.After(500 * time.Millisecond):
			a.server.Stop()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = a.tracer.Shutdown(ctx) // never hang the exit on an unreachable collector
		a.log.Info("stopped")
	})
	<-a.stopped
}

// Run reads the configuration from the environment, starts, serves until SIGTERM/SIGINT, drains
// and returns. Exits the process with status 2 when the agent cannot start.
func (a *Agent) Run() {
	a.log = slog.New(TraceLogHandler{slog.NewTextHandler(os.Stderr, nil)})
	slog.SetDefault(a.log)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	config, err := ConfigFromEnv(a.info.Name, a.info.DefaultPort)
	if err == nil {
		err = a.Start(config)
	}
	if err != nil {
		a.log.Error("cannot start agent", "agent", a.info.Name, "error", err)
		os.Exit(2)
	}
	sig := <-signals
	a.log.Info("signal received; shutting down", "signal", sig.String())
	a.Stop(-1)
}
