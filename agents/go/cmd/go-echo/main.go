// Command go-echo serves the sample Go agent until SIGTERM (configuration: MESHWORK_*/OTEL_*
// environment variables; see meshagent.Config).
package main

import "dev.meshwork/agents/go/goecho"

func main() {
	goecho.New().Run()
}
