package meshtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	registryv1 "dev.meshwork/agents/go/gen/meshwork/registry/v1"
	"dev.meshwork/agents/go/meshagent"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Call is one call the fake registry received.
type Call struct {
	Method  string
	Caller  string
	Request proto.Message
	Code    codes.Code
	Time    time.Time
}

// FakeRegistry is a RegistryService over mTLS (identity registry/registry) that records every call,
// enforces that only agent/<name> registers <name>, and can forget everything (a registry restart)
// or go down and come back on the same port.
type FakeRegistry struct {
	registryv1.UnimplementedRegistryServiceServer
	certs string
	Port  int

	mu        sync.Mutex
	server    *grpc.Server
	nextID    int
	instances map[string]*registryv1.RegisterAgentRequest
	calls     []Call
}

// StartFakeRegistry starts a fake registry on a free port, stopped when the test ends.
func StartFakeRegistry(t testing.TB, certs string) *FakeRegistry {
	t.Helper()
	r := &FakeRegistry{certs: certs, instances: map[string]*registryv1.RegisterAgentRequest{}}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// Target is localhost:<port>.
func (r *FakeRegistry) Target() string { return fmt.Sprintf("localhost:%d", r.Port) }

// Start serves (again) on r.Port (0: a free port).
func (r *FakeRegistry) Start() error {
	cert, err := tls.LoadX509KeyPair(filepath.Join(r.certs, "registry/registry.crt"), filepath.Join(r.certs, "registry/registry.key"))
	if err != nil {
		return err
	}
	pem, err := os.ReadFile(filepath.Join(r.certs, "ca.crt"))
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert})
	lis, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", r.Port))
	if err != nil {
		return err
	}
	r.Port = lis.Addr().(*net.TCPAddr).Port
	server := grpc.NewServer(grpc.Creds(creds))
	registryv1.RegisterRegistryServiceServer(server, r)
	r.mu.Lock()
	r.server = server
	r.mu.Unlock()
	go server.Serve(lis)
	return nil
}

// Stop stops serving (the port closes; the state stays).
func (r *FakeRegistry) Stop() {
	r.mu.Lock()
	server := r.server
	r.server = nil
	r.mu.Unlock()
	if server != nil {
		server.Stop()
	}
}

// Restart stops, forgets every instance (soft state) and serves again on the same port.
func (r *FakeRegistry) Restart() error {
	r.Stop()
	r.mu.Lock()
	r.instances = map[string]*registryv1.RegisterAgentRequest{}
	r.mu.Unlock()
	return r.Start()
}

// Calls of a method (all of them when method is empty).
func (r *FakeRegistry) Calls(method string) []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Call
	for _, c := range r.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// OK calls of a method.
func (r *FakeRegistry) OK(method string) []Call {
	var out []Call
	for _, c := range r.Calls(method) {
		if c.Code == codes.OK {
			out = append(out, c)
		}
	}
	return out
}

// Instances is a copy of the registered instances by id.
func (r *FakeRegistry) Instances() map[string]*registryv1.RegisterAgentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]*registryv1.RegisterAgentRequest{}
	for k, v := range r.instances {
		out[k] = v
	}
	return out
}

func (r *FakeRegistry) record(ctx context.Context, method string, req proto.Message, err error) error {
	caller := ""
	if id, ok := meshagent.PeerIdentity(ctx); ok {
		caller = id.KindAndName()
	}
	r.mu.Lock()
	r.calls = append(r.calls, Call{method, caller, req, status.Code(err), time.Now()})
	r.mu.Unlock()
	return err
}

func (r *FakeRegistry) RegisterAgent(ctx context.Context, req *registryv1.RegisterAgentRequest) (*registryv1.RegisterAgentResponse, error) {
	name := req.GetCard().GetName()
	if id, ok := meshagent.PeerIdentity(ctx); !ok || id.KindAndName() != "agent/"+name {
		return nil, r.record(ctx, "RegisterAgent", req, status.Errorf(codes.PermissionDenied, "only agent/%s may register %s", name, name))
	}
	if len(req.GetCard().GetSkills()) == 0 || req.GetEndpoint().GetPort() < 1 || req.GetEndpoint().GetHost() == "" {
		return nil, r.record(ctx, "RegisterAgent", req, status.Error(codes.InvalidArgument, "bad registration"))
	}
	r.mu.Lock()
	id := ""
	for k, v := range r.instances {
		if v.GetCard().GetName() == name && proto.Equal(v.GetEndpoint(), req.GetEndpoint()) {
			id = k
		}
	}
	if id == "" {
		r.nextID++
		id = fmt.Sprintf("inst-%d", r.nextID)
	}
	r.instances[id] = req
	r.mu.Unlock()
	r.record(ctx, "RegisterAgent", req, nil)
	return &registryv1.RegisterAgentResponse{Instance: &registryv1.AgentInstance{
		InstanceId: id, Card: req.GetCard(), Endpoint: req.GetEndpoint(), LeaseTtl: req.GetLeaseTtl()}}, nil
}

func (r *FakeRegistry) RenewLease(ctx context.Context, req *registryv1.RenewLeaseRequest) (*registryv1.RenewLeaseResponse, error) {
	r.mu.Lock()
	_, known := r.instances[req.GetInstanceId()]
	r.mu.Unlock()
	if !known {
		return nil, r.record(ctx, "RenewLease", req, status.Errorf(codes.NotFound, "instance '%s' not found", req.GetInstanceId()))
	}
	r.record(ctx, "RenewLease", req, nil)
	return &registryv1.RenewLeaseResponse{LeaseExpireTime: timestamppb.New(time.Now().Add(15 * time.Second))}, nil
}

func (r *FakeRegistry) DeregisterAgent(ctx context.Context, req *registryv1.DeregisterAgentRequest) (*registryv1.DeregisterAgentResponse, error) {
	r.mu.Lock()
	_, known := r.instances[req.GetInstanceId()]
	delete(r.instances, req.GetInstanceId())
	r.mu.Unlock()
	if !known {
		return nil, r.record(ctx, "DeregisterAgent", req, status.Errorf(codes.NotFound, "instance '%s' not found", req.GetInstanceId()))
	}
	r.record(ctx, "DeregisterAgent", req, nil)
	return &registryv1.DeregisterAgentResponse{}, nil
}
