package dev.meshwork.registry.internal;

import static dev.meshwork.registry.internal.Quoting.quote;

import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.Violations;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Checks registry requests before they touch the store, so a rejected request leaves it unchanged.
 * Every problem is reported at once, as {@code INVALID_ARGUMENT} with field violations.
 */
final class RequestValidator {

  /** Shortest lease a registration may ask for. */
  static final Duration MIN_LEASE_TTL = Duration.ofSeconds(1);

  /** Longest lease a registration may ask for; longer leases hide dead instances too long. */
  static final Duration MAX_LEASE_TTL = Duration.ofMinutes(10);

  private static final int MAX_HOST_LENGTH = 253;
  private static final Pattern HOST = Pattern.compile("[^\\s/]+");

  private RequestValidator() {}

  static void validateRegister(RegisterAgentRequest request) {
    Violations violations = new Violations();
    if (violations.check(
        request.hasCard(), "card", "missing (expected: the agent's AgentCard)")) {
      CardValidator.validate(request.getCard(), "card", violations);
    }
    if (violations.check(
        request.hasEndpoint(),
        "endpoint",
        "missing (expected: the host and port where the instance serves AgentService)")) {
      validateEndpoint(request.getEndpoint(), violations);
    }
    if (request.hasLeaseTtl()) {
      validateLeaseTtl(request.getLeaseTtl(), violations);
    }
    violations.throwIfAny();
  }

  static void validateRenew(RenewLeaseRequest request) {
    Violations violations = new Violations();
    checkInstanceId(request.getInstanceId(), violations);
    if (request.hasLoad()) {
      validateLoad(request.getLoad(), violations);
    }
    violations.check(
        request.getHealth() != HealthState.UNRECOGNIZED,
        "health",
        request.getHealthValue() + " (expected: a HealthState)");
    violations.throwIfAny();
  }

  /** Checks a bare instance id (get, deregister). */
  static void validateInstanceId(String instanceId) {
    Violations violations = new Violations();
    checkInstanceId(instanceId, violations);
    violations.throwIfAny();
  }

  /** Checks a watch's starting point; the registry checks it against its history afterwards. */
  static void validateAfterRevision(long afterRevision) {
    if (afterRevision < 0) {
      throw MeshException.invalidArgument(
          "after_revision", afterRevision + " (expected: 0 for a snapshot, or a revision >= 1)");
    }
  }

  private static void checkInstanceId(String instanceId, Violations violations) {
    violations.check(
        !instanceId.isEmpty(),
        "instance_id",
        "'' (expected: an instance id returned by RegisterAgent)");
  }

  private static void validateEndpoint(Endpoint endpoint, Violations violations) {
    String host = endpoint.getHost();
    violations.check(
        !host.isEmpty() && host.length() <= MAX_HOST_LENGTH && HOST.matcher(host).matches(),
        "endpoint.host",
        quote(host) + " (expected: a host name or IP address without spaces or '/')");
    int port = endpoint.getPort();
    violations.check(port >= 1 && port <= 65535, "endpoint.port", port + " (expected: 1..65535)");
  }

  private static void validateLeaseTtl(
      com.google.protobuf.Duration ttl, Violations violations) {
    boolean ok = ProtoTime.isValid(ttl);
    if (ok) {
      Duration value = ProtoTime.toJava(ttl);
      ok = value.compareTo(MIN_LEASE_TTL) >= 0 && value.compareTo(MAX_LEASE_TTL) <= 0;
    }
    violations.check(ok, "lease_ttl", ProtoTime.format(ttl) + " (expected: 1s..10m)");
  }

  private static void validateLoad(Load load, Violations violations) {
    violations.check(
        load.getInFlight() >= 0, "load.in_flight", load.getInFlight() + " (expected: >= 0)");
    double utilization = load.getUtilization();
    violations.check(
        utilization >= 0 && utilization <= 1,
        "load.utilization",
        utilization + " (expected: 0..1)");
  }
}
