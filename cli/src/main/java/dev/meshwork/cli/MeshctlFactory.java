package dev.meshwork.cli;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Creates command objects for picocli, handing the {@link CliEnvironment} to every class that has
 * a constructor taking one; anything else is created by picocli's default factory.
 */
final class MeshctlFactory implements IFactory {

  private final CliEnvironment environment;
  private final IFactory fallback = CommandLine.defaultFactory();

  MeshctlFactory(CliEnvironment environment) {
    this.environment = requireNonNull(environment, "environment");
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    Constructor<K> constructor;
    try {
      constructor = type.getDeclaredConstructor(CliEnvironment.class);
    } catch (NoSuchMethodException e) {
      return fallback.create(type);
    }
    constructor.setAccessible(true);
    return constructor.newInstance(environment);
  }
}
