package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	agentv1 "dev.meshwork/agents/go/gen/meshwork/agent/v1"
	commonv1 "dev.meshwork/agents/go/gen/meshwork/common/v1"
	registryv1 "dev.meshwork/agents/go/gen/meshwork/registry/v1"
	"dev.meshwork/agents/go/internal/meshtest"
	"dev.meshwork/agents/go/meshagent"
)

// The test binary doubles as go-echo: run as a child with GO_ECHO_AS_MAIN=1, it is the agent.
func TestMain(m *testing.M) {
	if os.Getenv("GO_ECHO_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	meshtest.Main(m)
}

// go-echo as the launcher runs it: a process configured by environment, registering with the
// registry, serving, and draining on SIGTERM.
func TestProcessRegistersServesAndDrainsOnSigterm(t *testing.T) {
	certs := meshtest.Certs(t)
	reg := meshtest.StartFakeRegistry(t, certs)
	logPath := filepath.Join(t.TempDir(), "go-echo.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GO_ECHO_AS_MAIN=1", "MESHWORK_CERT_DIR="+certs, "MESHWORK_REGISTRY="+reg.Target(),
		"MESHWORK_PORT=0", "MESHWORK_LEASE_TTL=3s", "MESHWORK_GRACE_PERIOD=5s",
		// With no collector listening: must not matter.
		"OTEL_TRACES_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	logs := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	if !meshtest.Eventually(20*time.Second, func() bool { return len(reg.OK("RegisterAgent")) > 0 }) {
		t.Fatalf("not registered:\n%s", logs())
	}
	port := int(reg.OK("RegisterAgent")[0].Request.(*registryv1.RegisterAgentRequest).GetEndpoint().GetPort())
	c := agentv1.NewAgentServiceClient(meshtest.Dial(t, certs, port, "client/dev"))
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := c.Invoke(ctx, &agentv1.InvokeRequest{SkillId: "go.echo", Input: []*commonv1.Part{meshagent.Text("hi")}})
		cancel()
		if err != nil || meshagent.Texts(resp.GetOutput())[0] != "hi" {
			t.Fatalf("invoke: %v %v", resp, err)
		}
	}
	signalled := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs())
	}
	// Idle, it stops at once: an unreachable trace collector does not hold the exit for long.
	if took := time.Since(signalled); took > 5*time.Second {
		t.Fatalf("stopping took %v", took)
	}
	if len(reg.OK("DeregisterAgent")) != 1 || len(reg.Instances()) != 0 {
		t.Fatalf("not deregistered:\n%s", logs())
	}
	out := logs()
	if !strings.Contains(out, "msg=registered agent=go-echo host=127.0.0.1") || !strings.Contains(out, "msg=stopped") || strings.Contains(out, "panic") {
		t.Fatalf("log:\n%s", out)
	}
}
