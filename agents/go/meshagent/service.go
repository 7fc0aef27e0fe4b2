package meshagent

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	agentv1 "dev.meshwork/agents/go/gen/meshwork/agent/v1"
	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/orca"
)

// calls counts AgentService calls in flight and refuses new ones while draining or saturated.
type calls struct {
	max       int
	mu        sync.Mutex
	inFlight  int
	draining  bool
	served    int64
	cancelled int64 // calls whose context ended (caller cancelled or deadline passed) before they did
	idle      chan struct{}
}

func newCalls(max int) *calls { return &calls{max: max} }

func (c *calls) enter() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.draining {
		return Errorf(codes.Unavailable, "DRAINING", "agent is shutting down; call another instance")
	}
	if c.inFlight >= c.max {
		e := Errorf(codes.ResourceExhausted, "OVERLOADED", "%d calls in flight (limit %d)", c.inFlight, c.max)
		e.RetryAfter = 100 * time.Millisecond
		return e
	}
	c.inFlight++
	return nil
}

func (c *calls) exit(cancelled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight--
	c.served++
	if cancelled {
		c.cancelled++
	}
	if c.inFlight == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}

// load is (in flight, utilization in [0, 1]).
func (c *calls) load() (int, float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inFlight, float64(c.inFlight) / float64(c.max)
}

// drain refuses new calls and waits up to timeout for those in flight; true when none is left.
func (c *calls) drain(timeout time.Duration) bool {
	c.mu.Lock()
	c.draining = true
	if c.inFlight == 0 {
		c.mu.Unlock()
		return true
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	idle := c.idle
	c.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-time.After(timeout):
		return false
	}
}

type agentService struct {
	agentv1.UnimplementedAgentServiceServer
	card   *commonv1.AgentCard
	skills map[string]Skill
	calls  *calls
	log    *slog.Logger
}

func (s *agentService) GetAgentCard(context.Context, *agentv1.GetAgentCardRequest) (*agentv1.GetAgentCardResponse, error) {
	return &agentv1.GetAgentCardResponse{Card: s.card}, nil
}

func (s *agentService) Invoke(ctx context.Context, req *agentv1.InvokeRequest) (*agentv1.InvokeResponse, error) {
	skill, call, err := s.begin(ctx, req.GetSkillId(), req.GetMetadata(), req.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	out, err := s.run(ctx, skill, call, req.GetInput())
	if err != nil {
		return nil, err
	}
	return &agentv1.InvokeResponse{Output: append(call.chunks, out...), Metadata: call.resultMetadata}, nil
}

func (s *agentService) InvokeStream(req *agentv1.InvokeStreamRequest, stream agentv1.AgentService_InvokeStreamServer) error {
	ctx := stream.Context()
	skill, call, err := s.begin(ctx, req.GetSkillId(), req.GetMetadata(), req.GetIdempotencyKey())
	if err != nil {
		return err
	}
	call.stream = stream
	out, err := s.run(ctx, skill, call, req.GetInput())
	if err != nil {
		return err
	}
	call.mu.Lock()
	defer call.mu.Unlock()
	return stream.Send(&agentv1.InvokeStreamResponse{Event: &agentv1.InvokeStreamResponse_Result{
		Result: &agentv1.InvokeResponse{Output: out, Metadata: call.resultMetadata}}})
}

func (s *agentService) begin(ctx context.Context, skillID string, metadata map[string]string, key string) (Skill, *Call, error) {
	skill, ok := s.skills[skillID]
	if !ok {
		known := make([]string, 0, len(s.skills))
		for id := range s.skills {
			known = append(known, id)
		}
		sort.Strings(known)
		return Skill{}, nil, invalid("UNKNOWN_SKILL", []Violation{{"skill_id", fmt.Sprintf("'%s' (expected: one of %s)", skillID, strings.Join(known, ", "))}}).GRPCStatus().Err()
	}
	if err := s.calls.enter(); err != nil {
		return Skill{}, nil, err
	}
	call := &Call{SkillID: skillID, Metadata: metadata, IdempotencyKey: key}
	if call.Metadata == nil {
		call.Metadata = map[string]string{}
	}
	if id, ok := PeerIdentity(ctx); ok {
		call.Caller = id.KindAndName()
	}
	call.Deadline, call.HasDeadline = ctx.Deadline()
	return skill, call, nil
}

// run calls the handler, accounts for the call and maps its failure to a status.
func (s *agentService) run(ctx context.Context, skill Skill, call *Call, input []*commonv1.Part) (out []*commonv1.Part, err error) {
	what := fmt.Sprintf("skill '%s'", skill.ID)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
		ended := ctx.Err() != nil
		if ended {
			s.log.InfoContext(ctx, what+" stopped", "reason", ctx.Err())
		}
		s.calls.exit(ended)
		if err != nil {
			err = toStatus(ctx, err, what, s.log)
		} else if ctx.Err() != nil {
			err = toStatus(ctx, ctx.Err(), what, s.log)
		}
	}()
	// Asking for the call's ORCA recorder makes the response trailer carry this instance's load
	// (handlers may add request costs to it with orca.CallMetricsRecorderFromContext).
	orca.CallMetricsRecorderFromContext(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return skill.Handler(ctx, call, input)
}
