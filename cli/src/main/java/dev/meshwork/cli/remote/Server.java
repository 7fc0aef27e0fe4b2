package dev.meshwork.cli.remote;

/** The mesh servers meshctl talks to. */
public enum Server {
  /** The registry: RegistryService. */
  REGISTRY("registry"),
  /** The orchestrator: OrchestratorService and RunStatusService. */
  ORCHESTRATOR("orchestrator");

  private final String displayName;

  Server(String displayName) {
    this.displayName = displayName;
  }

  /** The name used in messages, for example {@code registry}. */
  public String displayName() {
    return displayName;
  }
}
