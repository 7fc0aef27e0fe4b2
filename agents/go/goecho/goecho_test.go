package goecho_test

import (
	"context"
	"crypto/tls"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	agentv1 "dev.meshwork/agents/go/gen/meshwork/agent/v1"
	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	"dev.meshwork/agents/go/goecho"
	"dev.meshwork/agents/go/internal/meshtest"
	"dev.meshwork/agents/go/meshagent"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"
)

func TestMain(m *testing.M) { meshtest.Main(m) }

// --- pure skill logic --------------------------------------------------------------------------

func TestReverseString(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "cba", "héllo wörld": "dlröw olléh"} {
		if got := goecho.ReverseString(in); got != want {
			t.Errorf("ReverseString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSlowParams(t *testing.T) {
	p, err := goecho.ParseSlowParams(nil)
	if err != nil || p != (goecho.SlowParams{Steps: 10, DelayMs: 200}) {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	p, _ = goecho.ParseSlowParams([]*commonv1.Part{meshagent.Text("3")})
	if p.Steps != 3 {
		t.Fatalf("text steps: %+v", p)
	}
	_, err = goecho.ParseSlowParams([]*commonv1.Part{meshagent.MustData(map[string]any{"steps": 0, "delay_ms": "x", "other": 1})})
	d := meshagent.DetailsOf(err)
	var fields []string
	for _, v := range d.Violations {
		fields = append(fields, v.Field)
	}
	if d.Code != codes.InvalidArgument || len(fields) != 3 || fields[0] != "input[0].data.delay_ms" || fields[1] != "input[0].data.other" || fields[2] != "input[0].data.steps" {
		t.Fatalf("violations: %v %v", d.Code, fields)
	}
}

// --- conformance over real mTLS ----------------------------------------------------------------

func startEcho(t *testing.T) (*meshagent.Agent, agentv1.AgentServiceClient, string) {
	certs := meshtest.Certs(t)
	a := meshtest.StartAgent(t, goecho.New(), certs, "", nil)
	return a, agentv1.NewAgentServiceClient(meshtest.Dial(t, certs, a.Port(), "client/dev")), certs
}

func invoke(t *testing.T, c agentv1.AgentServiceClient, timeout time.Duration, skill string, parts ...*commonv1.Part) (*agentv1.InvokeResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Invoke(ctx, &agentv1.InvokeRequest{SkillId: skill, Input: parts})
}

func TestCardServed(t *testing.T) {
	_, c, _ := startEcho(t)
	resp, err := c.GetAgentCard(context.Background(), &agentv1.GetAgentCardRequest{})
	if err != nil {
		t.Fatal(err)
	}
	card := resp.GetCard()
	var ids []string
	for _, s := range card.GetSkills() {
		ids = append(ids, s.GetId())
		if s.GetDescription() == "" {
			t.Errorf("skill %s has no description", s.GetId())
		}
	}
	if card.GetName() != "go-echo" || len(ids) != 3 || ids[0] != "go.echo" || ids[1] != "go.reverse" || ids[2] != "go.slow" || card.GetLabels()["language"] != "go" {
		t.Fatalf("card: %v", card)
	}
}

func TestInvokeEchoAndReverse(t *testing.T) {
	_, c, _ := startEcho(t)
	in := []*commonv1.Part{meshagent.Text("hello"), meshagent.MustData(map[string]any{"a": 1.0, "b": []any{true, "x"}}), meshagent.File([]byte{0, 1}, "f.bin", "application/octet-stream")}
	resp, err := invoke(t, c, 5*time.Second, "go.echo", in...)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetOutput()) != 3 || !proto.Equal(resp.GetOutput()[1], in[1]) || !proto.Equal(resp.GetOutput()[2], in[2]) {
		t.Fatalf("echo: %v", resp)
	}
	resp, err = invoke(t, c, 5*time.Second, "go.reverse", meshagent.Text("stressed"), meshagent.Text("héllo"))
	if err != nil || meshagent.Texts(resp.GetOutput())[0] != "desserts" || meshagent.Texts(resp.GetOutput())[1] != "olléh" {
		t.Fatalf("reverse: %v %v", resp, err)
	}
}

func TestUnknownSkillAndInvalidInputAreInvalidArgumentWithDetails(t *testing.T) {
	_, c, _ := startEcho(t)
	cases := []struct {
		skill  string
		parts  []*commonv1.Part
		reason string
		field  string
	}{
		{"no.such.skill", []*commonv1.Part{meshagent.Text("x")}, "UNKNOWN_SKILL", "skill_id"},
		{"go.echo", nil, "INVALID_ARGUMENT", "input"},
		{"go.reverse", []*commonv1.Part{meshagent.Text("ok"), meshagent.MustData(map[string]any{})}, "INVALID_ARGUMENT", "input[1]"},
		{"go.slow", []*commonv1.Part{meshagent.MustData(map[string]any{"steps": 5000})}, "INVALID_ARGUMENT", "input[0].data.steps"},
	}
	for _, tc := range cases {
		_, err := invoke(t, c, 5*time.Second, tc.skill, tc.parts...)
		d := meshagent.DetailsOf(err)
		if d.Code != codes.InvalidArgument || d.Reason != tc.reason || d.Domain != "meshwork.dev" || len(d.Violations) != 1 || d.Violations[0].Field != tc.field {
			t.Errorf("%s: %+v", tc.skill, d)
		}
	}
}

func TestStreamSendsProgressThenOneResultLast(t *testing.T) {
	_, c, _ := startEcho(t)
	stream, err := c.InvokeStream(context.Background(), &agentv1.InvokeStreamRequest{SkillId: "go.slow",
		Input: []*commonv1.Part{meshagent.MustData(map[string]any{"steps": 3, "delay_ms": 10})}})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	var last *agentv1.InvokeStreamResponse
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch msg.GetEvent().(type) {
		case *agentv1.InvokeStreamResponse_Status:
			kinds = append(kinds, "status")
		case *agentv1.InvokeStreamResponse_Result:
			kinds = append(kinds, "result")
		default:
			kinds = append(kinds, "chunk")
		}
		last = msg
	}
	if len(kinds) != 4 || kinds[3] != "result" || kinds[0] != "status" {
		t.Fatalf("events: %v", kinds)
	}
	if done := last.GetResult().GetOutput()[0].GetData().AsMap()["done"]; done != true {
		t.Fatalf("result: %v", last)
	}
	// A unary skill over the stream: just the result.
	stream, _ = c.InvokeStream(context.Background(), &agentv1.InvokeStreamRequest{SkillId: "go.echo", Input: []*commonv1.Part{meshagent.Text("hi")}})
	msg, err := stream.Recv()
	if err != nil || meshagent.Texts(msg.GetResult().GetOutput())[0] != "hi" {
		t.Fatalf("stream of unary skill: %v %v", msg, err)
	}
}

func TestDeadlineRespectedAndWorkStops(t *testing.T) {
	a, c, _ := startEcho(t)
	started := time.Now()
	_, err := invoke(t, c, 500*time.Millisecond, "go.slow", meshagent.MustData(map[string]any{"steps": 100, "delay_ms": 100}))
	if d := meshagent.DetailsOf(err); d.Code != codes.DeadlineExceeded {
		t.Fatalf("want DEADLINE_EXCEEDED, got %v", d.Code)
	}
	if took := time.Since(started); took > 2*time.Second {
		t.Fatalf("took %v", took)
	}
	if !meshtest.Eventually(time.Second, func() bool { return a.InFlight() == 0 && a.Cancelled() == 1 }) {
		t.Fatalf("handler did not stop: in flight %d, cancelled %d", a.InFlight(), a.Cancelled())
	}
}

func TestCancellationObserved(t *testing.T) {
	a, c, _ := startEcho(t)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := c.InvokeStream(ctx, &agentv1.InvokeStreamRequest{SkillId: "go.slow",
		Input: []*commonv1.Part{meshagent.MustData(map[string]any{"steps": 100, "delay_ms": 100})}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := stream.Recv()
	if err != nil || first.GetStatus().GetMessage() != "step 1/100" || a.InFlight() != 1 {
		t.Fatalf("first: %v %v", first, err)
	}
	cancel()
	if !meshtest.Eventually(time.Second, func() bool { return a.InFlight() == 0 && a.Cancelled() == 1 }) {
		t.Fatalf("handler did not stop: in flight %d, cancelled %d", a.InFlight(), a.Cancelled())
	}
}

func TestHealthAndReflection(t *testing.T) {
	a, _, certs := startEcho(t)
	conn := meshtest.Dial(t, certs, a.Port(), "client/dev")
	for _, service := range []string{"", "meshwork.agent.v1.AgentService"} {
		resp, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health %q: %v %v", service, resp, err)
		}
	}
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range resp.GetListServicesResponse().GetService() {
		names[s.GetName()] = true
	}
	if !names["meshwork.agent.v1.AgentService"] || !names["grpc.health.v1.Health"] {
		t.Fatalf("reflection: %v", names)
	}
}

func TestAuthorization(t *testing.T) {
	a, _, certs := startEcho(t)
	for identity, want := range map[string]codes.Code{
		"client/dev": codes.OK, "orchestrator/orchestrator": codes.OK, "agent/py-echo": codes.OK,
		"registry/registry": codes.PermissionDenied, "gateway/gateway": codes.PermissionDenied,
	} {
		c := agentv1.NewAgentServiceClient(meshtest.Dial(t, certs, a.Port(), identity))
		_, err := invoke(t, c, 5*time.Second, "go.echo", meshagent.Text("x"))
		if got := meshagent.DetailsOf(err).Code; got != want {
			t.Errorf("%s: got %v, want %v", identity, got, want)
		}
	}
}

func TestClientsWithoutMeshCertificateRejected(t *testing.T) {
	a, _, certs := startEcho(t)
	foreign, err := meshtest.NewCertDir()
	if err != nil {
		t.Fatal(err)
	}
	noCert := meshtest.ClientTLS(t, certs, certs, "client/dev")
	noCert.Certificates = nil
	for name, cfg := range map[string]*tls.Config{"no client certificate": noCert, "another CA": meshtest.ClientTLS(t, foreign, certs, "client/dev")} {
		conn := meshtest.DialTLS(t, a.Port(), cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if code := meshagent.DetailsOf(err).Code; code != codes.Unavailable {
			t.Errorf("%s: got %v, want Unavailable (handshake refused)", name, code)
		}
	}
}

func TestPolicyFileOverridesDefaults(t *testing.T) {
	certs := meshtest.Certs(t)
	policy := filepath.Join(t.TempDir(), "policy.txt")
	os.WriteFile(policy, []byte("# only the orchestrator\ndeny meshwork.agent.v1.AgentService/* client/*\n"), 0o600)
	a := meshtest.StartAgent(t, goecho.New(), certs, "", map[string]string{"POLICY_FILE": policy})
	for identity, want := range map[string]codes.Code{"client/dev": codes.PermissionDenied, "orchestrator/orchestrator": codes.OK} {
		_, err := invoke(t, agentv1.NewAgentServiceClient(meshtest.Dial(t, certs, a.Port(), identity)), 5*time.Second, "go.echo", meshagent.Text("x"))
		if got := meshagent.DetailsOf(err).Code; got != want {
			t.Errorf("%s: got %v, want %v", identity, got, want)
		}
	}
}
