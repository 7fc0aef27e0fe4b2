package dev.meshwork.core;

import java.util.List;
import java.util.Map;

/**
 * Service configs (the gRPC JSON structure, as maps, lists, strings and doubles) for channels to
 * {@code mesh:} targets.
 */
public final class MeshServiceConfigs {

  /**
   * The mesh's client-side load balancing, outermost first:
   *
   * <ol>
   *   <li>{@code meshwork_health_checking}: client-side health checking on {@code grpc.health.v1}
   *       ({@code healthCheckConfig}), so that an instance reporting NOT_SERVING (draining) gets no
   *       new calls. grpc-java itself only health-checks inside plain {@code round_robin}.
   *   <li>{@code outlier_detection_experimental}: an instance failing at least half of at least 20
   *       calls in a 5s interval is ejected for 15s (growing on repeats), at most half of them at
   *       once. It counts every non-OK status, so a client sending only bad input could eject
   *       instances from its own channel; the cap keeps that harmless.
   *   <li>{@code weighted_round_robin} weighted by the agents' per-call ORCA load reports (queries
   *       per second over utilization), falling back to {@code round_robin}.
   * </ol>
   *
   * <p>A call to {@code AgentService} that fails UNAVAILABLE (its instance died under it, or
   * refused it) is retried up to twice, on whatever instance the balancer picks next, within the
   * call's deadline and a channel-wide retry budget ({@code retryThrottling}) that stops retry
   * storms. That makes mesh calls at-least-once, which skills already are: steps carry idempotency
   * keys and are re-dispatched after crashes.
   */
  public static final Map<String, ?> DEFAULT =
      Map.of(
          "loadBalancingConfig",
          List.of(
              Map.of(
                  "meshwork_health_checking",
                  Map.of("childPolicy", List.of(outlierDetection())))),
          "healthCheckConfig",
          Map.of("serviceName", ""),
          "methodConfig",
          List.of(
              Map.of(
                  "name",
                  List.of(Map.of("service", "meshwork.agent.v1.AgentService")),
                  "retryPolicy",
                  Map.of(
                      "maxAttempts", 3.0,
                      "initialBackoff", "0.02s",
                      "maxBackoff", "0.2s",
                      "backoffMultiplier", 2.0,
                      "retryableStatusCodes", List.of("UNAVAILABLE")))),
          "retryThrottling",
          Map.of("maxTokens", 20.0, "tokenRatio", 0.1));

  /** Plain round robin with client-side health checking (no ORCA weights, no ejection). */
  public static final Map<String, ?> ROUND_ROBIN =
      Map.of(
          "loadBalancingConfig",
          List.of(Map.of("round_robin", Map.of())),
          "healthCheckConfig",
          Map.of("serviceName", ""));

  private MeshServiceConfigs() {}

  private static Map<String, ?> outlierDetection() {
    return Map.of(
        "outlier_detection_experimental",
        Map.of(
            "interval", "5s",
            "baseEjectionTime", "15s",
            "maxEjectionTime", "120s",
            "maxEjectionPercent", 50.0,
            "failurePercentageEjection",
            Map.of(
                "threshold", 50.0,
                "enforcementPercentage", 100.0,
                "minimumHosts", 2.0,
                "requestVolume", 20.0),
            "childPolicy",
            List.of(
                Map.of(
                    "weighted_round_robin",
                    Map.of(
                        "enableOobLoadReport", false,
                        // Weights settle within seconds rather than the 10s default, so that a
                        // newly busy agent is relieved quickly.
                        "blackoutPeriod", "2s",
                        "weightUpdatePeriod", "1s",
                        "weightExpirationPeriod", "60s",
                        "errorUtilizationPenalty", 1.0)),
                Map.of("round_robin", Map.of()))));
  }
}
