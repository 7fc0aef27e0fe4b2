package dev.meshwork.observability.internal;

import java.util.Set;

/**
 * gRPC services the telemetry interceptors let through untouched: health checks (polled every few
 * seconds by probes and client-side health checking) and server reflection (grpcurl) would
 * otherwise bury the workflow traces in Jaeger and skew the per-method RED metrics.
 */
final class UntracedServices {

  private static final Set<String> NAMES =
      Set.of(
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection");

  private UntracedServices() {}

  static boolean contains(String serviceName) {
    return serviceName != null && NAMES.contains(serviceName);
  }
}
