package dev.meshwork.cli;

import static java.util.Objects.requireNonNull;

import dev.meshwork.cli.remote.ChannelFactory;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Creates command and mixin objects for picocli, handing them what they declare in their
 * constructor: {@code (CliEnvironment, ChannelFactory)} or {@code (CliEnvironment)}; anything else
 * is created by picocli's default factory.
 */
final class MeshctlFactory implements IFactory {

  private final CliEnvironment environment;
  private final ChannelFactory channels;
  private final IFactory fallback = CommandLine.defaultFactory();

  MeshctlFactory(CliEnvironment environment, ChannelFactory channels) {
    this.environment = requireNonNull(environment, "environment");
    this.channels = requireNonNull(channels, "channels");
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    Constructor<K> remote = constructor(type, CliEnvironment.class, ChannelFactory.class);
    if (remote != null) {
      return remote.newInstance(environment, channels);
    }
    Constructor<K> local = constructor(type, CliEnvironment.class);
    if (local != null) {
      return local.newInstance(environment);
    }
    return fallback.create(type);
  }

  private static <K> Constructor<K> constructor(Class<K> type, Class<?>... parameters) {
    try {
      Constructor<K> constructor = type.getDeclaredConstructor(parameters);
      constructor.setAccessible(true);
      return constructor;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
