package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.Endpoint;
import java.util.Locale;

/**
 * What identifies an instance across re-registrations: its agent name and endpoint. Host names are
 * compared case-insensitively, as DNS does.
 *
 * @param agentName the card's name
 * @param host the endpoint host, lower-cased
 * @param port the endpoint port
 */
record InstanceKey(String agentName, String host, int port) {

  InstanceKey {
    requireNonNull(agentName, "agentName");
    host = requireNonNull(host, "host").toLowerCase(Locale.ROOT);
  }

  static InstanceKey of(String agentName, Endpoint endpoint) {
    return new InstanceKey(agentName, endpoint.getHost(), endpoint.getPort());
  }
}
