package dev.meshwork.registry.internal.grpc;

import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.core.AuthorizationPolicy;

/**
 * The registry's built-in authorization policy, checked by the server before a call reaches the
 * service: writes only from agents, reads and watches from every mesh identity. Which agent may
 * touch which instance ({@code agent/<name>} for agent {@code <name>}) is decided by the registry
 * itself, since it depends on the request.
 */
public final class RegistryPolicy {

  private RegistryPolicy() {}

  /** The default policy. */
  public static AuthorizationPolicy create() {
    return AuthorizationPolicy.builder()
        .allow(RegistryServiceGrpc.getRegisterAgentMethod().getFullMethodName(), "agent/*")
        .allow(RegistryServiceGrpc.getRenewLeaseMethod().getFullMethodName(), "agent/*")
        .allow(RegistryServiceGrpc.getDeregisterAgentMethod().getFullMethodName(), "agent/*")
        .allow(RegistryServiceGrpc.getGetAgentInstanceMethod().getFullMethodName(), "*")
        .allow(RegistryServiceGrpc.getListAgentInstancesMethod().getFullMethodName(), "*")
        .allow(RegistryServiceGrpc.getWatchAgentInstancesMethod().getFullMethodName(), "*")
        .build();
  }
}
