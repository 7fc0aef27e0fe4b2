package dev.meshwork.gateway;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the gateway serves HTTP and where it finds the mesh.
 *
 * <p>Settings (flag / environment variable, default):
 *
 * <ul>
 *   <li>{@code --host} / {@code MESHWORK_HOST}, {@code 127.0.0.1}; {@code --port} / {@code
 *       MESHWORK_PORT}, 8443.
 *   <li>{@code --http-insecure} / {@code MESHWORK_HTTP_INSECURE}, false: plain HTTP, for local
 *       development only. Otherwise HTTPS with {@code --http-cert} / {@code --http-key} ({@code
 *       MESHWORK_HTTP_CERT}, {@code MESHWORK_HTTP_KEY}), by default the gateway's own mesh
 *       certificate ({@code gateway/gateway} in the cert directory), re-read every {@code
 *       --tls-refresh}.
 *   <li>{@code --orchestrator} / {@code MESHWORK_ORCHESTRATOR}, {@code localhost:7002}; {@code
 *       --registry} / {@code MESHWORK_REGISTRY}, {@code localhost:7001}.
 *   <li>{@code --api-keys-file} / {@code MESHWORK_API_KEYS_FILE}: the API keys (see {@code
 *       ApiKeysFile}); without it every {@code /v1} request is refused.
 *   <li>{@code --request-timeout}, 30s: the deadline of a request without {@code
 *       X-Request-Timeout}; {@code --max-request-timeout}, 5m: the most a client may ask for.
 *   <li>{@code --sse-heartbeat}, 15s: comment lines on quiet event streams.
 *   <li>{@code --max-request-bytes}, 1048576; {@code --max-header-bytes}, 16384; {@code
 *       --max-connections}, 1000.
 *   <li>{@code --max-in-flight}, 1000: HTTP/JSON requests served at once (all clients together);
 *       {@code --max-streams}, 1000: event streams open at once. Past either, a request is answered
 *       503 with {@code Retry-After} at once instead of queueing: a gateway that accepts more than
 *       it can relay holds every waiting request in memory until it runs out.
 *   <li>{@code --jaeger-url}, {@code http://127.0.0.1:16686}: where the dashboard links traces.
 *   <li>{@code --grace-period}, 10s: how long in-flight requests may finish on shutdown.
 * </ul>
 *
 * @param host the address to bind
 * @param port the HTTP(S) port, 0 for any free one
 * @param httpTls the certificate served, empty for plain HTTP
 * @param apiKeysFile the API key file, if any
 * @param orchestratorTarget where OrchestratorService and RunStatusService are
 * @param registryTarget where RegistryService is
 * @param defaultTimeout the deadline of requests that ask for none
 * @param maxTimeout the longest deadline a client may ask for
 * @param heartbeat the interval of SSE heartbeat comments
 * @param maxRequestBytes the request body cap
 * @param maxHeaderBytes the request header cap
 * @param maxConnections the connection cap
 * @param maxInFlight the cap on HTTP/JSON requests being served at once
 * @param maxStreams the cap on event streams open at once
 * @param jaegerUrl the Jaeger UI base URL the dashboard links to
 * @param gracePeriod the drain time on shutdown
 */
public record GatewayConfig(
    String host,
    int port,
    Optional<HttpTls> httpTls,
    Optional<Path> apiKeysFile,
    String orchestratorTarget,
    String registryTarget,
    Duration defaultTimeout,
    Duration maxTimeout,
    Duration heartbeat,
    long maxRequestBytes,
    int maxHeaderBytes,
    int maxConnections,
    int maxInFlight,
    int maxStreams,
    String jaegerUrl,
    Duration gracePeriod) {

  /** The gateway's identity in the mesh. */
  public static final String IDENTITY = "gateway/gateway";

  /** The default HTTPS port. */
  public static final int DEFAULT_PORT = 8443;

  /**
   * The certificate the HTTP side serves.
   *
   * @param certFile PEM certificate chain
   * @param keyFile PEM PKCS#8 private key
   * @param refresh how often the files are re-read (rotation without restart)
   */
  public record HttpTls(Path certFile, Path keyFile, Duration refresh) {

    /** Validates the parts. */
    public HttpTls {
      requireNonNull(certFile, "certFile");
      requireNonNull(keyFile, "keyFile");
      requireNonNull(refresh, "refresh");
    }
  }

  /** Validates the parts. */
  public GatewayConfig {
    requireNonNull(host, "host");
    requireNonNull(httpTls, "httpTls");
    requireNonNull(apiKeysFile, "apiKeysFile");
    requireNonNull(orchestratorTarget, "orchestratorTarget");
    requireNonNull(registryTarget, "registryTarget");
    requireNonNull(defaultTimeout, "defaultTimeout");
    requireNonNull(maxTimeout, "maxTimeout");
    requireNonNull(heartbeat, "heartbeat");
    requireNonNull(jaegerUrl, "jaegerUrl");
    requireNonNull(gracePeriod, "gracePeriod");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (!positive(defaultTimeout) || !positive(maxTimeout) || !positive(heartbeat)) {
      throw new IllegalArgumentException("timeouts and heartbeat must be > 0");
    }
    if (defaultTimeout.compareTo(maxTimeout) > 0) {
      throw new IllegalArgumentException(
          "defaultTimeout: " + defaultTimeout + " (expected: <= maxTimeout " + maxTimeout + ")");
    }
    if (maxRequestBytes < 1 || maxHeaderBytes < 1024 || maxConnections < 1) {
      throw new IllegalArgumentException(
          "limits: maxRequestBytes >= 1, maxHeaderBytes >= 1024, maxConnections >= 1");
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: > 0)");
    }
    if (maxStreams < 1) {
      throw new IllegalArgumentException("maxStreams: " + maxStreams + " (expected: > 0)");
    }
  }

  /**
   * A builder with the documented defaults, except TLS: plain HTTP until {@link Builder#httpTls} is
   * called ({@link #fromSettings} defaults to HTTPS).
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the settings; {@code meshTls} supplies the default HTTPS certificate.
   *
   * @throws ConfigException for a bad value or an unreadable certificate
   */
  public static GatewayConfig fromSettings(Settings settings, TlsConfig meshTls) {
    Builder b =
        builder()
            .host(settings.string("host", "127.0.0.1"))
            .port(settings.integer("port", DEFAULT_PORT, 0, 65535))
            .orchestratorTarget(settings.string("orchestrator", "localhost:7002"))
            .registryTarget(settings.string("registry", "localhost:7001"))
            .defaultTimeout(
                settings.duration(
                    "request-timeout",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(1),
                    Duration.ofHours(1)))
            .maxTimeout(
                settings.duration(
                    "max-request-timeout",
                    Duration.ofMinutes(5),
                    Duration.ofMillis(1),
                    Duration.ofDays(1)))
            .heartbeat(
                settings.duration(
                    "sse-heartbeat",
                    Duration.ofSeconds(15),
                    Duration.ofMillis(100),
                    Duration.ofHours(1)))
            .maxRequestBytes(settings.integer("max-request-bytes", 1 << 20, 1, Integer.MAX_VALUE))
            .maxHeaderBytes(settings.integer("max-header-bytes", 16 * 1024, 1024, 1 << 20))
            .maxConnections(settings.integer("max-connections", 1000, 1, 1_000_000))
            .maxInFlight(settings.integer("max-in-flight", 1000, 1, 1_000_000))
            .maxStreams(settings.integer("max-streams", 1000, 1, 1_000_000))
            .jaegerUrl(settings.string("jaeger-url", "http://127.0.0.1:16686"))
            .gracePeriod(
                settings.duration(
                    "grace-period", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1)));
    settings.raw("api-keys-file").map(Path::of).ifPresent(b::apiKeysFile);
    boolean insecure = settings.bool("http-insecure", false);
    Path cert = settings.path("http-cert", meshTls.cert());
    Path key = settings.path("http-key", meshTls.key());
    if (!insecure) {
      requireReadable(cert, "http-cert");
      requireReadable(key, "http-key");
      b.httpTls(new HttpTls(cert, key, meshTls.refresh()));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static void requireReadable(Path file, String setting) {
    if (!Files.isReadable(file)) {
      throw new ConfigException(
          "--"
              + setting
              + " / "
              + Settings.envName(setting)
              + ": '"
              + file
              + "' is not a readable file (run `meshctl certs init`, or pass --http-insecure for"
              + " plain HTTP in development)");
    }
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  /** Builds a {@link GatewayConfig}; unset values take the documented defaults. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private HttpTls httpTls;
    private Path apiKeysFile;
    private String orchestratorTarget = "localhost:7002";
    private String registryTarget = "localhost:7001";
    private Duration defaultTimeout = Duration.ofSeconds(30);
    private Duration maxTimeout = Duration.ofMinutes(5);
    private Duration heartbeat = Duration.ofSeconds(15);
    private long maxRequestBytes = 1 << 20;
    private int maxHeaderBytes = 16 * 1024;
    private int maxConnections = 1000;
    private int maxInFlight = 1000;
    private int maxStreams = 1000;
    private String jaegerUrl = "http://127.0.0.1:16686";
    private Duration gracePeriod = Duration.ofSeconds(10);

    private Builder() {}

    /** The address to bind. */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** The port, 0 for any free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Serve HTTPS with this certificate (plain HTTP when never called). */
    public Builder httpTls(HttpTls httpTls) {
      this.httpTls = requireNonNull(httpTls, "httpTls");
      return this;
    }

    /** The API key file. */
    public Builder apiKeysFile(Path apiKeysFile) {
      this.apiKeysFile = requireNonNull(apiKeysFile, "apiKeysFile");
      return this;
    }

    /** Where OrchestratorService and RunStatusService are (used by {@link GatewayMain}). */
    public Builder orchestratorTarget(String target) {
      this.orchestratorTarget = requireNonNull(target, "target");
      return this;
    }

    /** Where RegistryService is (used by {@link GatewayMain}). */
    public Builder registryTarget(String target) {
      this.registryTarget = requireNonNull(target, "target");
      return this;
    }

    /** The deadline of requests that ask for none. */
    public Builder defaultTimeout(Duration timeout) {
      this.defaultTimeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /** The longest deadline a client may ask for. */
    public Builder maxTimeout(Duration timeout) {
      this.maxTimeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /** The interval of SSE heartbeat comments. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = requireNonNull(heartbeat, "heartbeat");
      return this;
    }

    /** The request body cap. */
    public Builder maxRequestBytes(long bytes) {
      this.maxRequestBytes = bytes;
      return this;
    }

    /** The request header cap. */
    public Builder maxHeaderBytes(int bytes) {
      this.maxHeaderBytes = bytes;
      return this;
    }

    /** The connection cap. */
    public Builder maxConnections(int connections) {
      this.maxConnections = connections;
      return this;
    }

    /** The cap on HTTP/JSON requests being served at once. */
    public Builder maxInFlight(int requests) {
      this.maxInFlight = requests;
      return this;
    }

    /** The cap on event streams open at once. */
    public Builder maxStreams(int streams) {
      this.maxStreams = streams;
      return this;
    }

    /** The Jaeger UI base URL. */
    public Builder jaegerUrl(String url) {
      this.jaegerUrl = requireNonNull(url, "url");
      return this;
    }

    /** The drain time on shutdown. */
    public Builder gracePeriod(Duration gracePeriod) {
      this.gracePeriod = requireNonNull(gracePeriod, "gracePeriod");
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException for inconsistent values
     */
    public GatewayConfig build() {
      return new GatewayConfig(
          host,
          port,
          Optional.ofNullable(httpTls),
          Optional.ofNullable(apiKeysFile),
          orchestratorTarget,
          registryTarget,
          defaultTimeout,
          maxTimeout,
          heartbeat,
          maxRequestBytes,
          maxHeaderBytes,
          maxConnections,
          maxInFlight,
          maxStreams,
          jaegerUrl,
          gracePeriod);
    }
  }
}
