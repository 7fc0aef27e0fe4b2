package dev.meshwork.registry;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TelemetrySettings;
import java.io.UncheckedIOException;

/**
 * The registry process: {@code java -jar meshwork-registry.jar [--flag=value ...]}. Settings come
 * from flags and {@code MESHWORK_*} environment variables (see {@link RegistryConfig}); a bad one
 * stops the process at once with a one-line message and exit code 2.
 */
public final class RegistryMain {

  private RegistryMain() {}

  /** Runs the registry until SIGTERM or SIGINT. */
  public static void main(String[] args) throws InterruptedException {
    RegistryServer server;
    try {
      Settings settings = Settings.fromArgs(args);
      TelemetrySettings.init(settings, "registry");
      RegistryConfig config = RegistryConfig.fromSettings(settings);
      settings.rejectUnknownFlags();
      server = RegistryServer.start(config);
    } catch (ConfigException | UncheckedIOException e) {
      System.err.println("registry: " + e.getMessage());
      System.exit(2);
      return;
    }
    server.shutdownOnSignal().awaitTermination();
  }
}
