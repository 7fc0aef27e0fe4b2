package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link MeshServer} listens.
 *
 * <p>Settings (flag / environment variable, default):
 *
 * <ul>
 *   <li>{@code --port} / {@code MESHWORK_PORT}: each service has its own default; 0 picks a free
 *       port.
 *   <li>{@code --host} / {@code MESHWORK_HOST}, {@code 127.0.0.1}: the address to bind; {@code
 *       0.0.0.0} for all interfaces.
 *   <li>{@code --grace-period} / {@code MESHWORK_GRACE_PERIOD}, 20s: how long in-flight calls may
 *       finish on shutdown.
 *   <li>{@code --policy-file} / {@code MESHWORK_POLICY_FILE}: authorization rules evaluated before
 *       the built-in ones (see {@link AuthorizationPolicy#parse}).
 * </ul>
 *
 * @param host bind address
 * @param port TCP port, 0 for any free port
 * @param gracePeriod drain time on shutdown
 * @param policyFile optional authorization rules file
 * @param tls the TLS material
 */
public record ServerConfig(
    String host, int port, Duration gracePeriod, Optional<Path> policyFile, TlsConfig tls) {

  /** Validates the parts. */
  public ServerConfig {
    requireNonNull(host, "host");
    requireNonNull(gracePeriod, "gracePeriod");
    requireNonNull(policyFile, "policyFile");
    requireNonNull(tls, "tls");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
  }

  /**
   * Reads the server settings.
   *
   * @param defaultPort the service's default port
   * @param defaultIdentity the service's default {@code <kind>/<name>}
   */
  public static ServerConfig fromSettings(
      Settings settings, int defaultPort, String defaultIdentity) {
    return new ServerConfig(
        settings.string("host", "127.0.0.1"),
        settings.integer("port", defaultPort, 0, 65535),
        settings.duration("grace-period", Duration.ofSeconds(20), Duration.ZERO, Duration.ofHours(1)),
        settings.raw("policy-file").map(Path::of),
        TlsConfig.fromSettings(settings, defaultIdentity));
  }
}
