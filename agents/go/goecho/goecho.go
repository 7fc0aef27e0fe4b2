// Package goecho is the sample Go agent go-echo: skills go.echo, go.reverse and go.slow.
package goecho

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	"dev.meshwork/agents/go/meshagent"
)

const (
	// Name is the agent's name; its identity is agent/go-echo.
	Name = "go-echo"
	// Version of the agent.
	Version = "0.1.0"
	// DefaultPort when MESHWORK_PORT is unset.
	DefaultPort = 7022

	maxSteps   = 1000
	maxDelayMs = 60000
)

// New builds the go-echo agent.
func New() *meshagent.Agent {
	a := meshagent.New(meshagent.Info{Name: Name, Version: Version, DefaultPort: DefaultPort,
		Description: "Sample Go agent: echo, reverse, a slow streaming task.",
		Labels:      map[string]string{"language": "go"}})
	a.AddSkill(meshagent.Skill{ID: "go.echo", Name: "Echo", Description: "Returns its input unchanged.",
		Tags: []string{"sample"}, InputModes: []string{"text/plain", "application/json"},
		OutputModes: []string{"text/plain", "application/json"}, Examples: []string{"hello"}, Handler: Echo})
	a.AddSkill(meshagent.Skill{ID: "go.reverse", Name: "Reverse", Description: "Reverses the characters of each text part.",
		Tags: []string{"sample", "text"}, Examples: []string{"stressed"}, Handler: Reverse})
	a.AddSkill(meshagent.Skill{ID: "go.slow", Name: "Slow task",
		Description: "Works for steps x delay_ms, streaming a progress update per step; stops as soon as the caller cancels or the deadline passes. " +
			`Input: {"steps": 1..1000, "delay_ms": 0..60000} or a text number of steps (default 10 steps of 200 ms).`,
		Tags: []string{"sample", "streaming"}, InputModes: []string{"application/json", "text/plain"},
		OutputModes: []string{"application/json"}, Examples: []string{`{"steps": 5, "delay_ms": 100}`}, Handler: Slow})
	return a
}

// Echo returns its input unchanged.
func Echo(_ context.Context, _ *meshagent.Call, input []*commonv1.Part) ([]*commonv1.Part, error) {
	if len(input) == 0 {
		return nil, meshagent.InvalidField("input", "[] (expected: at least one part)")
	}
	return input, nil
}

// ReverseString reverses s by Unicode code points.
func ReverseString(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// Reverse reverses each text part; other kinds of parts are invalid input.
func Reverse(_ context.Context, _ *meshagent.Call, input []*commonv1.Part) ([]*commonv1.Part, error) {
	if len(input) == 0 {
		return nil, meshagent.InvalidField("input", "[] (expected: at least one text part)")
	}
	var violations []meshagent.Violation
	out := make([]*commonv1.Part, 0, len(input))
	for i, p := range input {
		t, ok := p.GetKind().(*commonv1.Part_Text)
		if !ok {
			violations = append(violations, meshagent.Violation{Field: fmt.Sprintf("input[%d]", i), Description: "not a text part (expected: text)"})
			continue
		}
		out = append(out, meshagent.Text(ReverseString(t.Text)))
	}
	if len(violations) > 0 {
		return nil, meshagent.InvalidInput(violations...)
	}
	return out, nil
}

// SlowParams are the steps and delay of go.slow.
type SlowParams struct {
	Steps   int
	DelayMs int
}

// ParseSlowParams reads go.slow's input: a data part {"steps", "delay_ms"} or a text part holding
// the number of steps; defaults 10 steps of 200 ms.
func ParseSlowParams(input []*commonv1.Part) (SlowParams, error) {
	p := SlowParams{Steps: 10, DelayMs: 200}
	var violations []meshagent.Violation
	for i, part := range input {
		switch k := part.GetKind().(type) {
		case *commonv1.Part_Data:
			for key, value := range k.Data.AsMap() {
				field := fmt.Sprintf("input[%d].data.%s", i, key)
				switch key {
				case "steps":
					p.Steps = intField(value, 1, maxSteps, p.Steps, field, &violations)
				case "delay_ms":
					p.DelayMs = intField(value, 0, maxDelayMs, p.DelayMs, field, &violations)
				default:
					violations = append(violations, meshagent.Violation{Field: field, Description: "unknown field (expected: steps, delay_ms)"})
				}
			}
		case *commonv1.Part_Text:
			text := strings.TrimSpace(k.Text)
			if text == "" {
				continue
			}
			n, err := strconv.Atoi(text)
			if err != nil || n < 1 || n > maxSteps {
				violations = append(violations, meshagent.Violation{Field: fmt.Sprintf("input[%d].text", i),
					Description: fmt.Sprintf("'%s' (expected: a number of steps 1..%d)", k.Text, maxSteps)})
				continue
			}
			p.Steps = n
		}
	}
	if len(violations) > 0 {
		sortViolations(violations)
		return p, meshagent.InvalidInput(violations...)
	}
	return p, nil
}

func intField(value any, lo, hi, def int, field string, violations *[]meshagent.Violation) int {
	f, ok := value.(float64)
	if !ok || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		*violations = append(*violations, meshagent.Violation{Field: field, Description: fmt.Sprintf("%v (expected: an integer %d..%d)", value, lo, hi)})
		return def
	}
	return int(f)
}

// sortViolations orders violations by field: map iteration order is random, reports must not be.
func sortViolations(v []meshagent.Violation) {
	sort.Slice(v, func(i, j int) bool { return v[i].Field < v[j].Field })
}

// Slow works step by step, streaming progress, until done or until the call's context ends.
func Slow(ctx context.Context, call *meshagent.Call, input []*commonv1.Part) ([]*commonv1.Part, error) {
	p, err := ParseSlowParams(input)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for step := 1; step <= p.Steps; step++ {
		timer.Reset(time.Duration(p.DelayMs) * time.Millisecond)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
		}
		if err := call.Progress(fmt.Sprintf("step %d/%d", step, p.Steps), float64(step)/float64(p.Steps), map[string]any{"step": step}); err != nil {
			return nil, err
		}
	}
	return []*commonv1.Part{meshagent.MustData(map[string]any{"steps": p.Steps, "done": true})}, nil
}
