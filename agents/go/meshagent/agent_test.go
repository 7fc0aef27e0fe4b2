package meshagent_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	agentv1 "dev.meshwork/agents/go/gen/meshwork/agent/v1"
	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	registryv1 "dev.meshwork/agents/go/gen/meshwork/registry/v1"
	"dev.meshwork/agents/go/internal/meshtest"
	"dev.meshwork/agents/go/meshagent"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

func TestMain(m *testing.M) { meshtest.Main(m) }

// The SDK tests give test skills to an agent named go-echo (an identity meshctl certs init creates).
const name = "go-echo"

func testAgent() *meshagent.Agent {
	a := meshagent.New(meshagent.Info{Name: name, Version: "9.9.9", Description: "SDK test agent"})
	a.AddSkill(meshagent.Skill{ID: "t.fail", Handler: func(context.Context, *meshagent.Call, []*commonv1.Part) ([]*commonv1.Part, error) {
		return nil, errors.New("secret detail that must not leak")
	}})
	a.AddSkill(meshagent.Skill{ID: "t.panic", Handler: func(context.Context, *meshagent.Call, []*commonv1.Part) ([]*commonv1.Part, error) {
		panic("secret panic")
	}})
	a.AddSkill(meshagent.Skill{ID: "t.wait", Handler: func(ctx context.Context, _ *meshagent.Call, in []*commonv1.Part) ([]*commonv1.Part, error) {
		d := time.Second
		if texts := meshagent.Texts(in); len(texts) > 0 {
			d, _ = time.ParseDuration(texts[0])
		}
		select {
		case <-time.After(d):
			return []*commonv1.Part{meshagent.Text("done")}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}})
	a.AddSkill(meshagent.Skill{ID: "t.context", Handler: func(ctx context.Context, call *meshagent.Call, _ []*commonv1.Part) ([]*commonv1.Part, error) {
		call.SetResultMetadata("handled-by", "t.context")
		left := time.Until(call.Deadline).Round(time.Second)
		return []*commonv1.Part{meshagent.Text(call.Caller), meshagent.Text(call.IdempotencyKey), meshagent.Text(call.Metadata["k"]), meshagent.Text(left.String())}, nil
	}})
	a.AddSkill(meshagent.Skill{ID: "t.chunks", Handler: func(ctx context.Context, call *meshagent.Call, _ []*commonv1.Part) ([]*commonv1.Part, error) {
		call.Chunk(meshagent.Text("a"))
		call.Progress("half", 0.5, nil)
		call.Chunk(meshagent.Text("b"))
		return []*commonv1.Part{meshagent.Text("c")}, nil
	}})
	return a
}

func client(t *testing.T, certs string, a *meshagent.Agent, identity string) agentv1.AgentServiceClient {
	return agentv1.NewAgentServiceClient(meshtest.Dial(t, certs, a.Port(), identity))
}

func call(c agentv1.AgentServiceClient, timeout time.Duration, skill string, texts ...string) (*agentv1.InvokeResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req := &agentv1.InvokeRequest{SkillId: skill}
	for _, s := range texts {
		req.Input = append(req.Input, meshagent.Text(s))
	}
	return c.Invoke(ctx, req)
}

func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	if !meshtest.Eventually(timeout, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// --- calls --------------------------------------------------------------------------------------

func TestHandlerErrorsAndPanicsAreInternalWithoutDetails(t *testing.T) {
	certs := meshtest.Certs(t)
	a := meshtest.StartAgent(t, testAgent(), certs, "", nil)
	c := client(t, certs, a, "client/dev")
	for _, skill := range []string{"t.fail", "t.panic"} {
		_, err := call(c, 5*time.Second, skill)
		d := meshagent.DetailsOf(err)
		if d.Code != codes.Internal || d.Message != "skill '"+skill+"': internal error" || d.Reason != "INTERNAL" || d.Domain != "meshwork.dev" {
			t.Errorf("%s: %+v", skill, d)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s leaked: %v", skill, err)
		}
	}
}

func TestCallContextAndResultMetadata(t *testing.T) {
	certs := meshtest.Certs(t)
	a := meshtest.StartAgent(t, testAgent(), certs, "", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := client(t, certs, a, "orchestrator/orchestrator").Invoke(ctx, &agentv1.InvokeRequest{
		SkillId: "t.context", Metadata: map[string]string{"k": "v"}, IdempotencyKey: "run-1/step-a"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(meshagent.Texts(resp.GetOutput()), "|")
	if got != "orchestrator/orchestrator|run-1/step-a|v|30s" || resp.GetMetadata()["handled-by"] != "t.context" {
		t.Fatalf("got %q %v", got, resp.GetMetadata())
	}
}

func TestChunksProgressAndResult(t *testing.T) {
	certs := meshtest.Certs(t)
	a := meshtest.StartAgent(t, testAgent(), certs, "", nil)
	c := client(t, certs, a, "client/dev")
	stream, err := c.InvokeStream(context.Background(), &agentv1.InvokeStreamRequest{SkillId: "t.chunks"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for {
		msg, err := stream.Recv()
		if err != nil {
			break
		}
		switch e := msg.GetEvent().(type) {
		case *agentv1.InvokeStreamResponse_Chunk:
			kinds = append(kinds, "chunk:"+meshagent.Texts(e.Chunk.GetParts())[0])
		case *agentv1.InvokeStreamResponse_Status:
			kinds = append(kinds, "status")
		case *agentv1.InvokeStreamResponse_Result:
			kinds = append(kinds, "result:"+strings.Join(meshagent.Texts(e.Result.GetOutput()), ","))
		}
	}
	if strings.Join(kinds, " ") != "chunk:a status chunk:b result:c" {
		t.Fatalf("stream: %v", kinds)
	}
	resp, err := call(c, 5*time.Second, "t.chunks")
	if err != nil || strings.Join(meshagent.Texts(resp.GetOutput()), ",") != "a,b,c" {
		t.Fatalf("unary: %v %v", resp, err)
	}
}

func TestResponsesCarryOrcaLoadReports(t *testing.T) {
	certs := meshtest.Certs(t)
	a := meshtest.StartAgent(t, testAgent(), certs, "", nil)
	var trailer metadata.MD
	_, err := client(t, certs, a, "client/dev").Invoke(context.Background(),
		&agentv1.InvokeRequest{SkillId: "t.wait", Input: []*commonv1.Part{meshagent.Text("0s")}}, grpc.Trailer(&trailer))
	if err != nil {
		t.Fatal(err)
	}
	if len(trailer.Get("endpoint-load-metrics-bin")) != 1 {
		t.Fatalf("no ORCA load report in the trailer: %v", trailer)
	}
}

func TestSaturatedAgentAnswersResourceExhaustedWithRetryInfo(t *testing.T) {
	certs := meshtest.Certs(t)
	a := meshtest.StartAgent(t, testAgent(), certs, "", map[string]string{"MAX_CONCURRENCY": "1"})
	c := client(t, certs, a, "client/dev")
	done := make(chan error, 1)
	go func() { _, err := call(c, 5*time.Second, "t.wait", "1s"); done <- err }()
	eventually(t, "a call in flight", 2*time.Second, func() bool { return a.InFlight() == 1 })
	_, err := call(c, 5*time.Second, "t.wait", "0s")
	d := meshagent.DetailsOf(err)
	if d.Code != codes.ResourceExhausted || d.Reason != "OVERLOADED" || d.RetryAfter != 100*time.Millisecond {
		t.Fatalf("%+v", d)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// --- registration -------------------------------------------------------------------------------

func TestRegistersAndRenewsWithLoad(t *testing.T) {
	certs := meshtest.Certs(t)
	reg := meshtest.StartFakeRegistry(t, certs)
	a := meshtest.StartAgent(t, testAgent(), certs, reg.Target(), map[string]string{"LEASE_TTL": "1500ms"})
	eventually(t, "registration", 5*time.Second, func() bool { return len(reg.OK("RegisterAgent")) == 1 })
	r := reg.OK("RegisterAgent")[0]
	req := r.Request.(*registryv1.RegisterAgentRequest)
	if r.Caller != "agent/go-echo" || req.GetCard().GetName() != name || len(req.GetCard().GetSkills()) != 5 ||
		req.GetEndpoint().GetHost() != "127.0.0.1" || int(req.GetEndpoint().GetPort()) != a.Port() || req.GetLeaseTtl().AsDuration() != 1500*time.Millisecond {
		t.Fatalf("registration: %v by %s", req, r.Caller)
	}
	eventually(t, "instance id", time.Second, func() bool { return a.InstanceID() == "inst-1" })

	c := client(t, certs, a, "client/dev")
	done := make(chan error, 1)
	go func() { _, err := call(c, 5*time.Second, "t.wait", "1200ms"); done <- err }()
	eventually(t, "a renewal reporting the call in flight", 3*time.Second, func() bool {
		for _, r := range reg.OK("RenewLease") {
			if r.Request.(*registryv1.RenewLeaseRequest).GetLoad().GetInFlight() == 1 {
				return true
			}
		}
		return false
	})
	<-done
	renewals := reg.OK("RenewLease")
	for i, r := range renewals {
		req := r.Request.(*registryv1.RenewLeaseRequest)
		if req.GetInstanceId() != "inst-1" || req.GetHealth() != registryv1.HealthState_HEALTH_STATE_SERVING {
			t.Fatalf("renewal: %v", req)
		}
		if i > 0 {
			if gap := r.Time.Sub(renewals[i-1].Time); gap < 300*time.Millisecond || gap > 900*time.Millisecond {
				t.Fatalf("renewals every %v, want ~500ms (ttl/3)", gap)
			}
		}
	}
}

func TestRegistersAgainAfterRegistryRestart(t *testing.T) {
	certs := meshtest.Certs(t)
	reg := meshtest.StartFakeRegistry(t, certs)
	a := meshtest.StartAgent(t, testAgent(), certs, reg.Target(), map[string]string{"LEASE_TTL": "1500ms"})
	eventually(t, "registration", 5*time.Second, func() bool { return len(reg.OK("RegisterAgent")) == 1 })
	if err := reg.Restart(); err != nil { // forgets everything, like the real one
		t.Fatal(err)
	}
	eventually(t, "re-registration", 5*time.Second, func() bool { return len(reg.OK("RegisterAgent")) == 2 && len(reg.Instances()) == 1 })
	notFound := false
	for _, r := range reg.Calls("RenewLease") {
		notFound = notFound || r.Code == codes.NotFound
	}
	if !notFound {
		t.Fatal("no NOT_FOUND renewal before re-registering")
	}
	eventually(t, "instance id", time.Second, func() bool { _, ok := reg.Instances()[a.InstanceID()]; return ok })
}

func TestServesWhileRegistryIsDownAndRegistersWhenItComesUp(t *testing.T) {
	certs := meshtest.Certs(t)
	reg := meshtest.StartFakeRegistry(t, certs)
	reg.Stop() // keeps its port number, now closed
	a := meshtest.StartAgent(t, testAgent(), certs, reg.Target(), map[string]string{"LEASE_TTL": "1500ms"})
	time.Sleep(500 * time.Millisecond)
	if resp, err := call(client(t, certs, a, "client/dev"), 5*time.Second, "t.wait", "0s"); err != nil || meshagent.Texts(resp.GetOutput())[0] != "done" {
		t.Fatalf("serving without registry: %v %v", resp, err)
	}
	if a.InstanceID() != "" {
		t.Fatal("registered with a registry that is down")
	}
	if err := reg.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "registration", 5*time.Second, func() bool { return a.InstanceID() != "" })
}

func TestRegistrationRefusedForAnotherName(t *testing.T) {
	certs := meshtest.Certs(t)
	reg := meshtest.StartFakeRegistry(t, certs)
	other := meshagent.New(meshagent.Info{Name: "other"})
	other.AddSkill(meshagent.Skill{ID: "t.x", Handler: func(_ context.Context, _ *meshagent.Call, in []*commonv1.Part) ([]*commonv1.Part, error) {
		return in, nil
	}})
	// The identity is agent/go-echo but the card says "other": the registry refuses; the agent serves.
	meshtest.StartAgent(t, other, certs, reg.Target(), map[string]string{"LEASE_TTL": "1500ms",
		"TLS_CERT": filepath.Join(certs, "agent/go-echo.crt"), "TLS_KEY": filepath.Join(certs, "agent/go-echo.key")})
	eventually(t, "a refused registration", 5*time.Second, func() bool { return len(reg.Calls("RegisterAgent")) > 0 })
	if c := reg.Calls("RegisterAgent")[0]; c.Code != codes.PermissionDenied || other.InstanceID() != "" {
		t.Fatalf("%v %q", c.Code, other.InstanceID())
	}
}

// --- drain --------------------------------------------------------------------------------------

func TestDrainDeregistersFirstThenNotServingAndFinishesInFlightCalls(t *testing.T) {
	certs := meshtest.Certs(t)
	reg := meshtest.StartFakeRegistry(t, certs)
	a := meshtest.StartAgent(t, testAgent(), certs, reg.Target(), map[string]string{"LEASE_TTL": "1500ms"})
	eventually(t, "registration", 5*time.Second, func() bool { return a.InstanceID() != "" })
	c := client(t, certs, a, "client/dev")

	type seen struct {
		at     time.Time
		status healthpb.HealthCheckResponse_ServingStatus
	}
	var mu sync.Mutex
	var updates []seen
	watch, err := healthpb.NewHealthClient(meshtest.Dial(t, certs, a.Port(), "client/dev")).Watch(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			msg, err := watch.Recv()
			if err != nil {
				return
			}
			mu.Lock()
			updates = append(updates, seen{time.Now(), msg.GetStatus()})
			mu.Unlock()
		}
	}()
	last := func() healthpb.HealthCheckResponse_ServingStatus {
		mu.Lock()
		defer mu.Unlock()
		if len(updates) == 0 {
			return healthpb.HealthCheckResponse_UNKNOWN
		}
		return updates[len(updates)-1].status
	}
	eventually(t, "SERVING", 2*time.Second, func() bool { return last() == healthpb.HealthCheckResponse_SERVING })

	inFlight := make(chan error, 1)
	go func() {
		resp, err := call(c, 5*time.Second, "t.wait", "1s")
		if err == nil && meshagent.Texts(resp.GetOutput())[0] != "done" {
			err = errors.New("wrong output")
		}
		inFlight <- err
	}()
	eventually(t, "a call in flight", 2*time.Second, func() bool { return a.InFlight() == 1 })
	started := time.Now()
	stopped := make(chan struct{})
	go func() { a.Stop(10 * time.Second); close(stopped) }()
	eventually(t, "deregistration", 2*time.Second, func() bool { return len(reg.OK("DeregisterAgent")) == 1 })
	eventually(t, "NOT_SERVING", 2*time.Second, func() bool { return last() == healthpb.HealthCheckResponse_NOT_SERVING })
	if _, err := call(c, 5*time.Second, "t.wait", "0s"); meshagent.DetailsOf(err).Code != codes.Unavailable {
		t.Fatalf("new call during drain: %v", err)
	}
	if err := <-inFlight; err != nil {
		t.Fatalf("in-flight call failed during drain: %v", err)
	}
	<-stopped
	if took := time.Since(started); took > 3*time.Second {
		t.Fatalf("stop took %v: it should wait for the call, not the grace period", took)
	}
	dereg := reg.OK("DeregisterAgent")[0]
	if dereg.Request.(*registryv1.DeregisterAgentRequest).GetInstanceId() != "inst-1" {
		t.Fatalf("deregistered %v", dereg.Request)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range updates {
		if u.status == healthpb.HealthCheckResponse_NOT_SERVING && !dereg.Time.Before(u.at) {
			t.Fatalf("NOT_SERVING (%v) before deregistration (%v)", u.at, dereg.Time)
		}
	}
}

func TestDrainCancelsCallsPastTheGracePeriod(t *testing.T) {
	certs := meshtest.Certs(t)
	a := meshtest.StartAgent(t, testAgent(), certs, "", nil)
	c := client(t, certs, a, "client/dev")
	result := make(chan error, 1)
	go func() { _, err := call(c, time.Minute, "t.wait", "30s"); result <- err }()
	eventually(t, "a call in flight", 2*time.Second, func() bool { return a.InFlight() == 1 })
	started := time.Now()
	a.Stop(500 * time.Millisecond)
	if took := time.Since(started); took > 3*time.Second {
		t.Fatalf("stop took %v", took)
	}
	if code := meshagent.DetailsOf(<-result).Code; code != codes.Canceled && code != codes.Unavailable {
		t.Fatalf("long call ended with %v", code)
	}
}

// --- tracing ------------------------------------------------------------------------------------

func TestServerSpanContinuesTheCallersW3CTrace(t *testing.T) {
	certs := meshtest.Certs(t)
	exporter := tracetest.NewInMemoryExporter()
	a := testAgent()
	a.SpanExporter = keepSpans{exporter}
	meshtest.StartAgent(t, a, certs, "", nil)
	conn := meshtest.Dial(t, certs, a.Port(), "client/dev")
	traceID, parentID := "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	ctx := metadata.AppendToOutgoingContext(context.Background(), "traceparent", "00-"+traceID+"-"+parentID+"-01")
	if _, err := agentv1.NewAgentServiceClient(conn).Invoke(ctx, &agentv1.InvokeRequest{SkillId: "t.wait", Input: []*commonv1.Part{meshagent.Text("0s")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	a.Stop(0) // flushes
	spans := exporter.GetSpans()
	if len(spans) != 1 { // health checks are not traced
		t.Fatalf("spans: %v", spans)
	}
	s := spans[0]
	if s.Name != "meshwork.agent.v1.AgentService/Invoke" || s.SpanKind != trace.SpanKindServer ||
		s.SpanContext.TraceID().String() != traceID || s.Parent.SpanID().String() != parentID {
		t.Fatalf("span %s kind %v trace %s parent %s", s.Name, s.SpanKind, s.SpanContext.TraceID(), s.Parent.SpanID())
	}
	var service string
	for _, kv := range s.Resource.Attributes() {
		if kv.Key == "service.name" {
			service = kv.Value.AsString()
		}
	}
	if service != name {
		t.Fatalf("service.name %q", service)
	}
}

// --- configuration ------------------------------------------------------------------------------

func envOf(values map[string]string) func(string) string {
	return func(k string) string { return values[k] }
}

func TestConfigDefaultsAndOverrides(t *testing.T) {
	certs := meshtest.Certs(t)
	c, err := meshagent.ConfigFrom(name, 7022, envOf(map[string]string{"MESHWORK_CERT_DIR": certs}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Registry != "localhost:7001" || c.Host != "127.0.0.1" || c.Port != 7022 || c.AdvertiseHost != "127.0.0.1" ||
		c.LeaseTTL != 15*time.Second || c.GracePeriod != 20*time.Second || c.Insecure ||
		c.TLS.Cert != filepath.Join(certs, "agent", "go-echo.crt") || c.TLS.CA != filepath.Join(certs, "ca.crt") {
		t.Fatalf("defaults: %+v %+v", c, c.TLS)
	}
	c, err = meshagent.ConfigFrom(name, 7022, envOf(map[string]string{"MESHWORK_DATA_DIR": filepath.Dir(certs),
		"MESHWORK_TLS_CERT": filepath.Join(certs, "agent/go-echo.crt"), "MESHWORK_TLS_KEY": filepath.Join(certs, "agent/go-echo.key"),
		"MESHWORK_TLS_CA": filepath.Join(certs, "ca.crt"), "MESHWORK_HOST": "0.0.0.0", "MESHWORK_PORT": "0",
		"MESHWORK_GRACE_PERIOD": "1500ms", "MESHWORK_REGISTRY": "none"}))
	if err != nil || c.Registry != "" || c.AdvertiseHost != "127.0.0.1" || c.Port != 0 || c.GracePeriod != 1500*time.Millisecond {
		t.Fatalf("overrides: %+v %v", c, err)
	}
}

func TestConfigBadValuesFailFast(t *testing.T) {
	certs := meshtest.Certs(t)
	for setting, want := range map[string]string{
		"MESHWORK_PORT=70000":           "MESHWORK_PORT: '70000' (expected: integer 0..65535)",
		"MESHWORK_INSECURE=mayb":        "MESHWORK_INSECURE: 'mayb' (expected: true or false)",
		"MESHWORK_LEASE_TTL=15":         "MESHWORK_LEASE_TTL: '15' (expected: duration like 30s, 1s..600s)",
		"MESHWORK_IDENTITY=agent/other": "MESHWORK_IDENTITY: 'agent/other' (expected: agent/go-echo, the identity of agent go-echo)",
	} {
		k, v, _ := strings.Cut(setting, "=")
		_, err := meshagent.ConfigFrom(name, 0, envOf(map[string]string{"MESHWORK_CERT_DIR": certs, k: v}))
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v", setting, err)
		}
	}
	dir := t.TempDir()
	_, err := meshagent.ConfigFrom(name, 0, envOf(map[string]string{"MESHWORK_CERT_DIR": dir}))
	if err == nil || !strings.Contains(err.Error(), "MESHWORK_TLS_CERT: '"+filepath.Join(dir, "agent/go-echo.crt")+"' is not a readable file (run `meshctl certs issue agent/go-echo`") {
		t.Errorf("missing certificates: %v", err)
	}
	if c, err := meshagent.ConfigFrom(name, 0, envOf(map[string]string{"MESHWORK_CERT_DIR": dir, "MESHWORK_INSECURE": "true"})); err != nil || c.TLS != nil {
		t.Errorf("insecure: %v %v", c, err)
	}
}

func TestInsecureDevModeServesPlaintext(t *testing.T) {
	a := meshtest.StartAgent(t, testAgent(), t.TempDir(), "", map[string]string{"INSECURE": "true"})
	conn, err := grpc.NewClient("127.0.0.1:"+itoa(a.Port()), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, err := call(agentv1.NewAgentServiceClient(conn), 5*time.Second, "t.wait", "0s")
	if err != nil || meshagent.Texts(resp.GetOutput())[0] != "done" {
		t.Fatalf("%v %v", resp, err)
	}
}

func TestDurationsAndPolicyRules(t *testing.T) {
	for in, want := range map[string]time.Duration{"500ms": 500 * time.Millisecond, "15s": 15 * time.Second, "2m": 2 * time.Minute, "1h": time.Hour} {
		if got, ok := meshagent.ParseDuration(in); !ok || got != want {
			t.Errorf("%s: %v", in, got)
		}
	}
	for _, bad := range []string{"15", "1.5s", "s"} {
		if _, ok := meshagent.ParseDuration(bad); ok {
			t.Errorf("%s parsed", bad)
		}
	}
	policy, err := meshagent.AgentPolicy("")
	if err != nil {
		t.Fatal(err)
	}
	who := func(s string) meshagent.Identity {
		id, _ := meshagent.ParseIdentity("spiffe://meshwork.local/" + s)
		return id
	}
	if !policy.Allows("meshwork.agent.v1.AgentService/Invoke", who("orchestrator/orchestrator")) ||
		!policy.Allows("grpc.health.v1.Health/Check", who("registry/registry")) ||
		policy.Allows("meshwork.agent.v1.AgentService/Invoke", who("registry/registry")) {
		t.Fatal("default policy")
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("allow meshwork.agent.v1.AgentService/* nobody\n"), 0o600)
	if _, err := meshagent.ParsePolicyFile(bad); err == nil || !strings.HasSuffix(err.Error(), "bad.txt:1: identity: 'nobody' (expected: *, <kind>/* or <kind>/<name>)") {
		t.Fatalf("bad policy: %v", err)
	}
	if _, ok := meshagent.ParseIdentity("spiffe://meshwork.local/agent/x/y"); ok {
		t.Fatal("parsed a non-mesh identity")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// keepSpans keeps the spans past the exporter's shutdown (the in-memory exporter forgets them).
type keepSpans struct{ *tracetest.InMemoryExporter }

func (keepSpans) Shutdown(context.Context) error { return nil }
