package dev.meshwork.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real grpcurl binary, called as a mesh identity (or deliberately without one). */
final class Grpcurl {

  private final List<String> tlsArgs;

  private Grpcurl(List<String> tlsArgs) {
    this.tlsArgs = List.copyOf(tlsArgs);
  }

  /** grpcurl presenting {@code <certDir>/<kind>/<name>.crt}, trusting {@code <certDir>/ca.crt}. */
  static Grpcurl as(Path certDir, String kindAndName) {
    return new Grpcurl(
        List.of(
            "-cacert", certDir.resolve("ca.crt").toString(),
            "-cert", certDir.resolve(kindAndName + ".crt").toString(),
            "-key", certDir.resolve(kindAndName + ".key").toString()));
  }

  /** grpcurl trusting the CA but presenting no client certificate. */
  static Grpcurl withoutClientCert(Path certDir) {
    return new Grpcurl(List.of("-cacert", certDir.resolve("ca.crt").toString()));
  }

  /** grpcurl presenting a client certificate from another directory (another CA). */
  static Grpcurl withForeignCert(Path trustDir, Path otherCertDir, String kindAndName) {
    return new Grpcurl(
        List.of(
            "-cacert", trustDir.resolve("ca.crt").toString(),
            "-cert", otherCertDir.resolve(kindAndName + ".crt").toString(),
            "-key", otherCertDir.resolve(kindAndName + ".key").toString()));
  }

  /** Runs {@code grpcurl <tls> -d <json> <address> <method>}. */
  Exec.Result callWithBody(String address, String json, String method)
      throws IOException, InterruptedException {
    return run(address, json, method);
  }

  /** Runs {@code grpcurl <tls> <address> <args...>} with no request body. */
  Exec.Result call(String address, String... args) throws IOException, InterruptedException {
    return run(address, null, args);
  }

  private Exec.Result run(String address, String json, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Tools.tool("grpcurl").toString());
    command.addAll(tlsArgs);
    command.add("-max-time");
    command.add("20");
    if (json != null) {
      command.add("-d");
      command.add(json);
    }
    command.add(address);
    command.addAll(List.of(args));
    return Exec.run(command, Map.of(), null);
  }
}
