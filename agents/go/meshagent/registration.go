package meshagent

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	registryv1 "dev.meshwork/agents/go/gen/meshwork/registry/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// registration keeps an instance in the registry: RegisterAgent, then RenewLease every third of the
// lease TTL with the current load and health. The registry is soft state: NOT_FOUND on renewal (it
// restarted, or the lease expired) means register again. While the registry is unreachable the
// agent keeps serving and retries with capped exponential backoff and jitter.
type registration struct {
	client     registryv1.RegistryServiceClient
	conn       *grpc.ClientConn
	target     string
	card       *commonv1.AgentCard
	endpoint   *commonv1.Endpoint
	ttl        time.Duration
	load       func() (int, float64)
	minBackoff time.Duration
	log        *slog.Logger

	mu         sync.Mutex
	instanceID string
	stop       chan struct{}
	done       chan struct{}

	// Counters, for tests and logs.
	Registrations, Renewals int
}

func (r *registration) InstanceID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.instanceID
}

func (r *registration) callTimeout() time.Duration {
	return min(5*time.Second, max(time.Second, r.ttl/3))
}

func (r *registration) start() {
	r.stop = make(chan struct{})
	r.done = make(chan struct{})
	go r.loop()
}

func (r *registration) loop() {
	defer close(r.done)
	maxBackoff := max(r.minBackoff, min(10*time.Second, r.ttl/3))
	failures := 0
	var delay time.Duration
	for {
		select {
		case <-r.stop:
			return
		case <-time.After(delay):
		}
		var err error
		if r.InstanceID() == "" {
			err = r.register()
		} else {
			err = r.renew()
		}
		switch {
		case err == nil:
			if failures > 0 {
				r.log.Info("registry reachable again", "registry", r.target)
			}
			failures = 0
			delay = r.ttl / 3
		case status.Code(err) == codes.NotFound && r.InstanceID() != "":
			r.log.Info("registry forgot this instance (restarted or lease expired); registering again", "instance", r.InstanceID())
			r.mu.Lock()
			r.instanceID = ""
			r.mu.Unlock()
			delay = 0
		default:
			failures++
			delay = min(maxBackoff, r.minBackoff<<min(failures-1, 10))
			delay = time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64()))
			if failures == 1 || failures%20 == 0 {
				r.log.Warn("registry unreachable; still serving, retrying", "registry", r.target,
					"code", status.Code(err).String(), "error", status.Convert(err).Message(), "retry_in", delay.String())
			}
		}
	}
}

func (r *registration) register() error {
	ctx, cancel := context.WithTimeout(context.Background(), r.callTimeout())
	defer cancel()
	resp, err := r.client.RegisterAgent(ctx, &registryv1.RegisterAgentRequest{
		Card: r.card, Endpoint: r.endpoint, LeaseTtl: durationpb.New(r.ttl)})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.instanceID = resp.GetInstance().GetInstanceId()
	r.Registrations++
	r.mu.Unlock()
	r.log.Info("registered", "agent", r.card.GetName(), "host", r.endpoint.GetHost(), "port", r.endpoint.GetPort(),
		"instance", resp.GetInstance().GetInstanceId(), "lease", r.ttl.String())
	return nil
}

func (r *registration) renew() error {
	ctx, cancel := context.WithTimeout(context.Background(), r.callTimeout())
	defer cancel()
	inFlight, utilization := r.load()
	_, err := r.client.RenewLease(ctx, &registryv1.RenewLeaseRequest{
		InstanceId: r.InstanceID(),
		Load:       &registryv1.Load{InFlight: int32(inFlight), Utilization: min(1, max(0, utilization))},
		Health:     registryv1.HealthState_HEALTH_STATE_SERVING,
	})
	if err == nil {
		r.mu.Lock()
		r.Renewals++
		r.mu.Unlock()
	}
	return err
}

// deregister stops renewing and removes the instance; true when it was removed.
func (r *registration) deregister(timeout time.Duration) bool {
	close(r.stop)
	<-r.done
	defer r.conn.Close()
	id := r.InstanceID()
	if id == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := r.client.DeregisterAgent(ctx, &registryv1.DeregisterAgentRequest{InstanceId: id}); err != nil {
		r.log.Warn("deregistering failed", "instance", id, "code", status.Code(err).String(), "error", status.Convert(err).Message())
		return false
	}
	r.mu.Lock()
	r.instanceID = ""
	r.mu.Unlock()
	r.log.Info("deregistered", "instance", id)
	return true
}
