package dev.meshwork.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc.OrchestratorServiceBlockingStub;
import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.DefaultUser;
import dev.meshwork.cli.DurationConverter;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.MeshIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The connection options every remote command shares (a picocli mixin): where the registry and
 * orchestrator are, which identity to present and with which certificates, and the per-call
 * deadline. Each option falls back to a {@code MESHWORK_*} environment variable, then to the dev
 * default that {@code ./mesh up} uses.
 */
public final class ConnectionOptions {

  /** Default registry address. */
  public static final String DEFAULT_REGISTRY = "localhost:7001";

  /** Default orchestrator address. */
  public static final String DEFAULT_ORCHESTRATOR = "localhost:7002";

  /** Default deadline of a unary call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final CliEnvironment environment;
  private final ChannelFactory channelFactory;

  @Option(
      names = "--registry",
      paramLabel = "HOST:PORT",
      description =
          "Registry address (default: $MESHWORK_REGISTRY, else " + DEFAULT_REGISTRY + ").")
  private String registry;

  @Option(
      names = "--orchestrator",
      paramLabel = "HOST:PORT",
      description =
          "Orchestrator address (default: $MESHWORK_ORCHESTRATOR, else "
              + DEFAULT_ORCHESTRATOR
              + ").")
  private String orchestrator;

  @Option(
      names = "--cert-dir",
      paramLabel = "DIR",
      description =
          "Certificate directory (default: $MESHWORK_CERT_DIR, else $MESHWORK_DATA_DIR/certs,"
              + " else .data/certs).")
  private Path certDir;

  @Option(
      names = "--identity",
      paramLabel = "KIND/NAME",
      description =
          "Identity to present (default: $MESHWORK_IDENTITY, else client/<user> with user ="
              + " $MESHWORK_USER, else $USER lower-cased, else dev).")
  private String identity;

  @Option(
      names = "--insecure",
      description = "Plaintext, no identity: for a dev mesh started with --insecure only.")
  private boolean insecure;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Deadline of each call, e.g. 10s, 500ms (default: 10s).")
  private Duration timeout;

  ConnectionOptions(CliEnvironment environment, ChannelFactory channelFactory) {
    this.environment = requireNonNull(environment, "environment");
    this.channelFactory = requireNonNull(channelFactory, "channelFactory");
  }

  /**
   * The effective settings: options, else environment variables, else defaults.
   *
   * @throws MeshctlException (usage) for a bad value
   */
  public ConnectionSettings settings() {
    return new ConnectionSettings(
        address("--registry", registry, "MESHWORK_REGISTRY", DEFAULT_REGISTRY),
        address("--orchestrator", orchestrator, "MESHWORK_ORCHESTRATOR", DEFAULT_ORCHESTRATOR),
        certDirectory(),
        meshIdentity(),
        insecure
            || environment.get("MESHWORK_INSECURE").map(ConnectionOptions::isTrue).orElse(false),
        timeout != null ? timeout : DEFAULT_TIMEOUT);
  }

  /**
   * Opens a client for the effective settings; close it when done.
   *
   * @throws MeshctlException (usage) for a bad value or missing certificate files
   */
  public MeshClient connect() {
    ConnectionSettings settings = settings();
    return new MeshClient(settings, channelFactory.open(settings));
  }

  /**
   * Connects, makes one unary call to the orchestrator within the deadline, and disconnects: for
   * the commands that make a single call.
   *
   * @throws MeshctlException (usage) for a bad setting; (failure) when the call fails
   */
  public <T> T callOrchestrator(Function<OrchestratorServiceBlockingStub, T> call) {
    try (MeshClient client = connect()) {
      return client.orchestrator(call);
    }
  }

  private String address(String option, String value, String variable, String defaultValue) {
    String address = value != null ? value.trim() : environment.get(variable).orElse(defaultValue);
    if (address.isEmpty() || address.contains(" ")) {
      throw MeshctlException.usage(option + ": '" + address + "' (expected: HOST:PORT)");
    }
    return address;
  }

  private CertDirectory certDirectory() {
    CertDirectory dir =
        certDir != null
            ? new CertDirectory(certDir)
            : CertDirectory.fromEnvironment(environment.variables());
    if (Files.exists(dir.root()) && !Files.isDirectory(dir.root())) {
      throw MeshctlException.usage("--cert-dir: '" + dir.root() + "' is not a directory");
    }
    return dir;
  }

  private MeshIdentity meshIdentity() {
    String trustDomain =
        environment.get("MESHWORK_TRUST_DOMAIN").orElse(MeshIdentity.DEFAULT_TRUST_DOMAIN);
    String text =
        identity != null
            ? identity
            : environment
                .get("MESHWORK_IDENTITY")
                .orElseGet(() -> "client/" + DefaultUser.name(environment));
    try {
      return MeshIdentity.parseKindName(trustDomain, text);
    } catch (IllegalArgumentException e) {
      throw MeshctlException.usage("--identity: " + e.getMessage(), e);
    }
  }

  private static boolean isTrue(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals("1") || v.equals("true") || v.equals("yes");
  }
}
