package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.grpc.protobuf.services.HealthCheckingLoadBalancerUtil;
import io.grpc.util.GracefulSwitchLoadBalancer;
import java.util.List;
import java.util.Map;

/**
 * LB policy {@value #POLICY_NAME}: client-side health checking ({@code grpc.health.v1}, as the
 * service config's {@code healthCheckConfig} asks) around any child policy.
 *
 * <p>grpc-java applies client-side health checking only inside its own {@code round_robin}; with
 * {@code outlier_detection_experimental} or {@code weighted_round_robin} at the top the channel
 * ignores {@code healthCheckConfig}, and an instance reporting NOT_SERVING (draining) would keep
 * getting calls. This policy puts the same health-checking wrapper above the whole tree. Config:
 * {@code {"childPolicy": [ {<policy>: {...}}, ... ]}}, the first registered child policy wins.
 */
public final class HealthCheckingLoadBalancerProvider extends LoadBalancerProvider {

  /** The policy's name in service configs. */
  public static final String POLICY_NAME = "meshwork_health_checking";

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return POLICY_NAME;
  }

  @Override
  public ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawConfig) {
    Object children = rawConfig.get("childPolicy");
    if (!(children instanceof List<?> list) || list.isEmpty()) {
      return ConfigOrError.fromError(
          Status.INTERNAL.withDescription(
              POLICY_NAME + ": childPolicy: " + children + " (expected: a non-empty list)"));
    }
    @SuppressWarnings("unchecked") // the JSON structure of a service config
    List<Map<String, ?>> childConfigs = (List<Map<String, ?>>) list;
    ConfigOrError child = GracefulSwitchLoadBalancer.parseLoadBalancingPolicyConfig(childConfigs);
    if (child.getError() != null) {
      return child;
    }
    return ConfigOrError.fromConfig(new Config(child.getConfig()));
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    LoadBalancer.Factory child =
        new LoadBalancer.Factory() {
          @Override
          public LoadBalancer newLoadBalancer(LoadBalancer.Helper childHelper) {
            return new ChildBalancer(childHelper);
          }
        };
    return HealthCheckingLoadBalancerUtil.newHealthCheckingLoadBalancer(child, helper);
  }

  /** The parsed config: the child policy's, ready for {@link GracefulSwitchLoadBalancer}. */
  record Config(Object child) {
    Config {
      requireNonNull(child, "child");
    }
  }

  /** Hands everything to the child policy, with the child's own config. */
  private static final class ChildBalancer extends LoadBalancer {
    private final GracefulSwitchLoadBalancer child;

    ChildBalancer(Helper helper) {
      this.child = new GracefulSwitchLoadBalancer(helper);
    }

    @Override
    public Status acceptResolvedAddresses(ResolvedAddresses addresses) {
      Object config = addresses.getLoadBalancingPolicyConfig();
      if (!(config instanceof Config ours)) {
        return Status.INTERNAL.withDescription(POLICY_NAME + ": unexpected config " + config);
      }
      return child.acceptResolvedAddresses(
          addresses.toBuilder().setLoadBalancingPolicyConfig(ours.child()).build());
    }

    @Override
    public void handleNameResolutionError(Status error) {
      child.handleNameResolutionError(error);
    }

    @Override
    public void requestConnection() {
      child.requestConnection();
    }

    @Override
    public void shutdown() {
      child.shutdown();
    }

    @Override
    public String toString() {
      return POLICY_NAME + "(" + child.delegateType() + ")";
    }
  }
}
