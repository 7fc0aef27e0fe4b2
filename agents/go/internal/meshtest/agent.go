package meshtest

import (
	"testing"

	"dev.meshwork/agents/go/meshagent"
)

// StartAgent starts a with the certificates in certs, registering with registry (empty: none) and
// the extra MESHWORK_<KEY> settings in env, on a free port; it is stopped when the test ends.
func StartAgent(t testing.TB, a *meshagent.Agent, certs, registry string, env map[string]string) *meshagent.Agent {
	t.Helper()
	if registry == "" {
		registry = "none"
	}
	values := map[string]string{"MESHWORK_CERT_DIR": certs, "MESHWORK_REGISTRY": registry, "MESHWORK_PORT": "0"}
	for k, v := range env {
		values["MESHWORK_"+k] = v
	}
	config, err := meshagent.ConfigFrom(a.Name(), 0, func(k string) string { return values[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(config); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Stop(0) })
	return a
}
