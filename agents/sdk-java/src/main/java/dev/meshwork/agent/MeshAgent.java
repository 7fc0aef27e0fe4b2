package dev.meshwork.agent;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.internal.AdvertisedHost;
import dev.meshwork.agent.internal.AgentGrpcService;
import dev.meshwork.agent.internal.CleanExitOnSigterm;
import dev.meshwork.agent.internal.HealthWatchCloser;
import dev.meshwork.agent.internal.LeaseKeeper;
import dev.meshwork.agent.internal.LoadTracker;
import dev.meshwork.agent.internal.RegisteredSkill;
import dev.meshwork.agent.internal.SkillInvoker;
import dev.meshwork.agent.internal.TraceHeaders;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.core.AuthorizationPolicy;
import dev.meshwork.core.ConfigException;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.MeshServer;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TelemetrySettings;
import dev.meshwork.observability.MeshTelemetry;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.xds.orca.OrcaMetricReportingServerInterceptor;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A running agent: serves {@code AgentService} for its skills through a {@link MeshServer} (mTLS,
 * authorization, health, reflection, graceful shutdown), keeps itself registered under a lease
 * renewed with its load, reports its load to clients with ORCA, and gives handlers a {@link
 * MeshClient} to call other skills.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   MeshAgent.builder()
 *       .name("text")
 *       .version("1.0.0")
 *       .description("Text analysis")
 *       .skill(SkillSpec.of("text.upper", "Upper-cases text"),
 *           (ctx, input) -> List.of(Parts.text(Parts.allText(input).toUpperCase())))
 *       .port(7101)
 *       .settings(Settings.fromArgs(args))
 *       .run();
 * }
 * }</pre>
 *
 * <p>Settings (flag / environment variable, default), besides those of {@link ServerConfig},
 * {@code TlsConfig} (identity {@code agent/<name>}) and {@link TelemetrySettings} (service name =
 * the agent's name; tracing from the standard {@code OTEL_*} variables):
 *
 * <ul>
 *   <li>{@code --registry} / {@code MESHWORK_REGISTRY}, {@code 127.0.0.1:7001}: the registry;
 *       {@code none} (or {@code off}, {@code -}) serves without registering.
 *   <li>{@code --lease-ttl} / {@code MESHWORK_LEASE_TTL}, 15s: the registration lease, renewed
 *       every third of it.
 *   <li>{@code --advertise-host} / {@code MESHWORK_ADVERTISE_HOST}: the host registered for peers;
 *       defaults to the bind host (this machine's address when binding all interfaces).
 *   <li>{@code --drain-delay} / {@code MESHWORK_DRAIN_DELAY}, 1s: on shutdown, how long the agent
 *       keeps taking calls after leaving the registry and turning NOT_SERVING, so that clients see
 *       it go before it stops accepting calls.
 * </ul>
 *
 * <p>Shutdown (SIGTERM with {@link #shutdownOnSignal()}, or {@link #shutdown()}): deregister,
 * health NOT_SERVING, drain delay, then stop accepting calls and let in-flight ones finish within
 * the grace period.
 */
public final class MeshAgent {

  private static final Logger LOG = Logger.getLogger(MeshAgent.class.getName());

  /** Registry targets that turn registration (and the mesh client) off. */
  private static final Set<String> OFF = Set.of("none", "off", "-");

  /** Who may call {@code AgentService} unless the agent says otherwise. */
  public static final AuthorizationPolicy DEFAULT_POLICY =
      AuthorizationPolicy.builder()
          .allow(
              AgentServiceGrpc.SERVICE_NAME + "/*",
              "orchestrator/*",
              "agent/*",
              "gateway/*",
              "client/*")
          .build();

  private final AgentCard card;
  private final LoadTracker load;
  private final ScheduledExecutorService scheduler;
  private final MeshChannels channels;
  private final ManagedChannel ownedRegistryChannel;
  private final Channel registryChannel;
  private final MeshClient mesh;
  private final MeshServer server;
  private final HealthWatchCloser healthWatches = new HealthWatchCloser();
  private final Duration leaseTtl;
  private final Duration drainDelay;
  private final String advertiseHost;
  private final AtomicBoolean signalsHandled = new AtomicBoolean();
  private volatile LeaseKeeper lease;
  private volatile boolean aborted;

  private MeshAgent(Builder b, ServerConfig config, Resolved resolved) {
    this.card = b.card();
    this.load = new LoadTracker(b.utilization);
    this.leaseTtl = resolved.leaseTtl();
    this.drainDelay = resolved.drainDelay();
    this.advertiseHost = AdvertisedHost.choose(config.host(), resolved.advertiseHost());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshwork-agent-" + card.getName());
              t.setDaemon(true);
              return t;
            });
    this.channels = MeshChannels.create(config.tls());
    if (b.registryChannel != null) {
      this.ownedRegistryChannel = null;
      this.registryChannel = b.registryChannel;
    } else if (isOff(resolved.registryTarget())) {
      this.ownedRegistryChannel = null;
      this.registryChannel = null;
    } else {
      this.ownedRegistryChannel = channels.forTarget(resolved.registryTarget());
      this.registryChannel = ownedRegistryChannel;
    }
    this.mesh =
        registryChannel == null ? null : MeshClient.create(channels.withRegistry(registryChannel));
    AgentGrpcService service =
        new AgentGrpcService(card, b.skills, new SkillInvoker(load), mesh);
    MeshServer.Builder server =
        MeshServer.builder(config)
            .addService(service)
            .intercept(OrcaMetricReportingServerInterceptor.create(load.recorder()))
            .intercept(TraceHeaders.serverInterceptor())
            .intercept(healthWatches)
            .policy(b.policy)
            .beforeShutdown(this::leaveAndDrain);
    b.interceptors.forEach(server::intercept);
    this.server = server.build();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the port, starts serving and starts registering (in the background: the agent serves
   * even while the registry is unreachable).
   */
  public MeshAgent start() {
    server.start();
    Endpoint endpoint =
        Endpoint.newBuilder().setHost(advertiseHost).setPort(server.port()).build();
    scheduler.scheduleAtFixedRate(load::tick, 1, 1, TimeUnit.SECONDS);
    if (registryChannel == null) {
      LOG.info("registry off: serving without registering");
    } else {
      lease = new LeaseKeeper(registryChannel, card, endpoint, leaseTtl, load::load, scheduler);
      lease.start();
    }
    LOG.info(
        () -> "agent " + card.getName() + " " + card.getVersion() + " serving "
            + card.getSkillsList().stream().map(s -> s.getId()).toList() + " at " + advertiseHost
            + ":" + server.port());
    return this;
  }

  /** The bound port (the real one when configured as 0). */
  public int port() {
    return server.port();
  }

  /** The agent's card. */
  public AgentCard card() {
    return card;
  }

  /** The registry's id of this instance, once registered. */
  public Optional<String> instanceId() {
    LeaseKeeper current = lease;
    return current == null ? Optional.empty() : current.instanceId();
  }

  /**
   * The client handlers get; usable by the agent's own code too.
   *
   * @throws IllegalStateException when the registry is off
   */
  public MeshClient mesh() {
    if (mesh == null) {
      throw new IllegalStateException("registry off: no mesh client");
    }
    return mesh;
  }

  /** Calls in flight right now. */
  public int inFlight() {
    return load.inFlight();
  }

  /**
   * Stops gracefully: leave the registry, report NOT_SERVING, keep serving for the drain delay,
   * then refuse new calls and let in-flight ones finish within the grace period. Idempotent.
   */
  public void shutdown() {
    server.shutdown();
    if (mesh != null) {
      mesh.close();
    }
    if (ownedRegistryChannel != null) {
      ownedRegistryChannel.shutdownNow();
    }
    channels.close();
    scheduler.shutdownNow();
  }

  /** Shuts down gracefully when the JVM is asked to exit (SIGTERM, SIGINT). */
  public MeshAgent shutdownOnSignal() {
    // The telemetry exit hook drains the agent first, then flushes the spans of its last calls;
    // a separate JVM hook would run concurrently with the flush.
    MeshTelemetry.onExit(this::shutdown);
    return this;
  }

  /**
   * Installs what {@link #serveUntilShutdown} does on SIGTERM/SIGINT (drain, then exit 0) now, for
   * mains that announce readiness before they block: a signal right after the announcement would
   * otherwise find the JVM's default handler and exit 143 undrained. Idempotent.
   */
  public MeshAgent handleSignals() {
    if (signalsHandled.compareAndSet(false, true)) {
      shutdownOnSignal();
      CleanExitOnSigterm.install();
    }
    return this;
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * For {@code main}: shuts down on SIGTERM/SIGINT and blocks until then. After a SIGTERM the
   * process exits with status 0 once drained (the JVM alone would exit with 143).
   */
  public void serveUntilShutdown() {
    handleSignals();
    try {
      awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutdown();
    }
  }

  /**
   * Stops without leaving the registry and without the drain delay, as far as the registry and
   * clients are concerned like a crash (the lease just expires). For tests.
   */
  void abort() {
    aborted = true;
    LeaseKeeper current = lease;
    if (current != null) {
      current.abandon();
    }
    shutdown();
  }

  private void leaveAndDrain() {
    if (aborted) {
      return;
    }
    LeaseKeeper current = lease;
    if (current != null) {
      current.deregisterAndStop(Duration.ofSeconds(6));
    }
    server.health().setStatus("", ServingStatus.NOT_SERVING);
    server.health().setStatus(AgentServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    if (!drainDelay.isZero()) {
      LOG.info(() -> "draining: taking calls for " + Settings.format(drainDelay) + " more");
      try {
        // Clients learn of the departure through their registry watch and health checks; until
        // they have, calls still arrive and are served.
        Thread.sleep(drainDelay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // The clients have seen NOT_SERVING; their health streams would only hold up termination.
    healthWatches.closeAll();
  }

  private static boolean isOff(String registryTarget) {
    return OFF.contains(registryTarget.strip().toLowerCase(Locale.ROOT));
  }

  private record Resolved(
      String registryTarget, Duration leaseTtl, String advertiseHost, Duration drainDelay) {}

  /** Builds a {@link MeshAgent}. */
  public static final class Builder {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private String name;
    private String version = "0.0.0";
    private String description = "";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, RegisteredSkill> skills = new LinkedHashMap<>();
    private int port;
    private Settings settings;
    private ServerConfig serverConfig;
    private String registryTarget;
    private Channel registryChannel;
    private Duration leaseTtl;
    private Duration drainDelay;
    private DoubleSupplier utilization;
    private AuthorizationPolicy policy = DEFAULT_POLICY;
    private final List<ServerInterceptor> interceptors = new ArrayList<>();

    private Builder() {}

    /** The agent's name (a DNS label); its identity is {@code agent/<name>}. */
    public Builder name(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    /** The implementation's version (default {@code 0.0.0}). */
    public Builder version(String version) {
      this.version = requireNonNull(version, "version");
      return this;
    }

    /** What the agent is for. */
    public Builder description(String description) {
      this.description = requireNonNull(description, "description");
      return this;
    }

    /** Adds a card label (for label selectors). */
    public Builder label(String key, String value) {
      labels.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
      return this;
    }

    /** Adds a unary skill. */
    public Builder skill(SkillSpec spec, SkillHandler handler) {
      return add(RegisteredSkill.unary(requireNonNull(spec, "spec"), handler));
    }

    /** Adds a streaming skill (also callable with {@code Invoke}). */
    public Builder streamingSkill(SkillSpec spec, StreamingSkillHandler handler) {
      return add(RegisteredSkill.streaming(requireNonNull(spec, "spec"), handler));
    }

    /** The default port; {@code --port} / {@code MESHWORK_PORT} overrides it; 0 picks any. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      this.port = port;
      return this;
    }

    /**
     * Where the settings come from (default: no flags, the process environment); see {@link
     * MeshAgent} for the agent's own. Unknown flags are rejected at {@link #build()}.
     */
    public Builder settings(Settings settings) {
      this.settings = requireNonNull(settings, "settings");
      return this;
    }

    /** Uses this server config instead of reading one from the settings. */
    public Builder serverConfig(ServerConfig config) {
      this.serverConfig = requireNonNull(config, "config");
      return this;
    }

    /**
     * The registry's target (overrides {@code --registry}); {@code none} serves without
     * registering and without a mesh client.
     */
    public Builder registry(String target) {
      this.registryTarget = requireNonNull(target, "target");
      return this;
    }

    /** Talks to the registry over this channel (kept open; for embedding and tests). */
    public Builder registryChannel(Channel channel) {
      this.registryChannel = requireNonNull(channel, "channel");
      return this;
    }

    /** The lease TTL (overrides {@code --lease-ttl}); at least 1s. */
    public Builder leaseTtl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("leaseTtl: " + ttl + " (expected: >= 1s)");
      }
      this.leaseTtl = ttl;
      return this;
    }

    /** The drain delay (overrides {@code --drain-delay}); zero skips it. */
    public Builder drainDelay(Duration delay) {
      requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("drainDelay: " + delay + " (expected: >= 0)");
      }
      this.drainDelay = delay;
      return this;
    }

    /**
     * The agent's own utilization measure in [0, 1], reported to clients and the registry instead
     * of the process CPU load.
     */
    public Builder utilization(DoubleSupplier utilization) {
      this.utilization = requireNonNull(utilization, "utilization");
      return this;
    }

    /**
     * Who may call the agent (default {@link #DEFAULT_POLICY}: orchestrators, agents, gateways and
     * clients). Per-skill restrictions come on top: {@link SkillSpec.Builder#allowCallers}.
     */
    public Builder policy(AuthorizationPolicy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /** Adds a server interceptor (for example telemetry), run after authorization. */
    public Builder intercept(ServerInterceptor interceptor) {
      interceptors.add(requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * Builds the agent (not started).
     *
     * @throws IllegalArgumentException for a bad name or no skills
     * @throws ConfigException for a bad setting or unusable TLS files
     */
    public MeshAgent build() {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "name: '" + name + "' (expected: lower-case letters, digits and '-', at most 63)");
      }
      if (skills.isEmpty()) {
        throw new IllegalArgumentException("skills: [] (expected: at least one skill)");
      }
      Settings s = settings != null ? settings : Settings.of(new String[0], System.getenv());
      ServerConfig config =
          serverConfig != null ? serverConfig : ServerConfig.fromSettings(s, port, "agent/" + name);
      // Every setting is read, even when the builder overrides it, so that its flag is known.
      String registrySetting = s.string("registry", "127.0.0.1:7001");
      Duration leaseTtlSetting =
          s.duration("lease-ttl", Duration.ofSeconds(15), Duration.ofSeconds(1),
              Duration.ofMinutes(10));
      Duration drainDelaySetting =
          s.duration("drain-delay", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1));
      Resolved resolved =
          new Resolved(
              registryTarget != null ? registryTarget : registrySetting,
              leaseTtl != null ? leaseTtl : leaseTtlSetting,
              s.string("advertise-host", ""),
              drainDelay != null ? drainDelay : drainDelaySetting);
      if (settings != null) {
        // A main's settings: tracing, metrics and log format for the process, service = name.
        TelemetrySettings.init(settings, name);
        settings.rejectUnknownFlags();
      }
      if (!config.tls().insecure()
          && !config.tls().identity().kindAndName().equals("agent/" + name)) {
        throw new ConfigException(
            "--identity / MESHWORK_IDENTITY: '" + config.tls().identity().kindAndName()
                + "' (expected: agent/" + name + ", the only identity the registry lets register"
                + " agent '" + name + "')");
      }
      return new MeshAgent(this, config, resolved);
    }

    /** Builds and starts the agent. */
    public MeshAgent start() {
      return build().start();
    }

    /**
     * For {@code main}: builds, starts and serves until SIGTERM/SIGINT. A bad setting or a busy
     * port ends the process with status 2 and a one-line message instead of a stack trace.
     */
    public void run() {
      MeshAgent agent;
      try {
        agent = start();
      } catch (ConfigException | UncheckedIOException | IllegalArgumentException e) {
        System.err.println((name == null ? "agent" : name) + ": " + e.getMessage());
        System.exit(2);
        return;
      }
      agent.serveUntilShutdown();
    }

    private Builder add(RegisteredSkill skill) {
      if (skills.putIfAbsent(skill.id(), skill) != null) {
        throw new IllegalArgumentException(
            "skill id: '" + skill.id() + "' (expected: unique within the agent)");
      }
      return this;
    }

    private AgentCard card() {
      AgentCard.Builder card =
          AgentCard.newBuilder()
              .setName(name)
              .setVersion(version)
              .setDescription(description)
              .putAllLabels(labels);
      skills.values().forEach(skill -> card.addSkills(skill.spec().toProto()));
      return card.build();
    }
  }
}
