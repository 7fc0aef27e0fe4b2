package meshagent

import (
	"context"
	"sync"
	"time"

	agentv1 "dev.meshwork/agents/go/gen/meshwork/agent/v1"
	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	"google.golang.org/protobuf/types/known/structpb"
)

// Handler serves one skill call. The context carries the caller's deadline and is cancelled when
// the caller cancels or the deadline passes: long-running handlers must watch ctx.Done(). Return
// the output parts, or an error (*Error for INVALID_ARGUMENT and friends; anything else becomes
// INTERNAL with a generic message). Streaming handlers send updates with call.Progress and
// call.Chunk before returning.
type Handler func(ctx context.Context, call *Call, input []*commonv1.Part) ([]*commonv1.Part, error)

// Skill is a skill's card entry and its handler.
type Skill struct {
	ID          string
	Name        string
	Description string
	Tags        []string
	InputModes  []string
	OutputModes []string
	Examples    []string
	Handler     Handler
}

// Call is what a handler knows of its call, and how it streams.
//
// Over InvokeStream, Progress and Chunk send at once and the result holds the returned output.
// Over Invoke, Progress is dropped and the output is the chunks' parts followed by the returned
// parts, so every skill works over both RPCs.
type Call struct {
	SkillID        string
	Metadata       map[string]string
	IdempotencyKey string
	Caller         string // <kind>/<name> of the caller, empty in insecure mode
	Deadline       time.Time
	HasDeadline    bool

	mu             sync.Mutex
	stream         agentv1.AgentService_InvokeStreamServer // nil for Invoke
	chunks         []*commonv1.Part
	resultMetadata map[string]string
}

// Progress sends a status/progress update (progress in [0, 1], 0 when unknown) on a streaming
// call. It fails when the stream is gone (the caller cancelled).
func (c *Call) Progress(message string, progress float64, details map[string]any) error {
	if c.stream == nil {
		return nil
	}
	update := &agentv1.StatusUpdate{Message: message, Progress: progress}
	if details != nil {
		s, err := structpb.NewStruct(details)
		if err != nil {
			return err
		}
		update.Details = s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stream.Send(&agentv1.InvokeStreamResponse{Event: &agentv1.InvokeStreamResponse_Status{Status: update}})
}

// Chunk sends a piece of output before the call ends (collected into the output for Invoke).
func (c *Call) Chunk(parts ...*commonv1.Part) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stream == nil {
		c.chunks = append(c.chunks, parts...)
		return nil
	}
	return c.stream.Send(&agentv1.InvokeStreamResponse{Event: &agentv1.InvokeStreamResponse_Chunk{Chunk: &agentv1.OutputChunk{Parts: parts}}})
}

// SetResultMetadata adds a key to the result's metadata (for example the model used).
func (c *Call) SetResultMetadata(key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resultMetadata == nil {
		c.resultMetadata = map[string]string{}
	}
	c.resultMetadata[key] = value
}
