package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.api.agent.v1.AgentProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@code AgentService.Invoke} with ghz (github.com/bojand/ghz) at a fixed rate, plaintext or
 * mTLS, and reads its JSON report. The descriptors come from the generated Java classes (a protoset
 * file), so neither reflection nor the .proto sources are needed.
 */
final class Ghz {

  /** The latency percentiles ghz measured, in milliseconds, and the calls that failed. */
  record Result(double p50Millis, double p99Millis, long count, long errors) {}

  /** The client certificate ghz presents, for mTLS. */
  record Tls(Path ca, Path cert, Path key) {}

  private final Path binary;
  private final Path workDir;
  private final Path protoset;

  private Ghz(Path binary, Path workDir, Path protoset) {
    this.binary = binary;
    this.workDir = workDir;
    this.protoset = protoset;
  }

  /**
   * The ghz binary named by {@code setting}: {@code off} -> empty, {@code auto} -> {@code ghz} in
   * {@code $MESHWORK_TOOLS} ({@code ~/.cache/meshwork/bin}) or on the PATH, else the path given.
   */
  static Optional<Ghz> find(String setting, Path workDir) throws IOException {
    if (setting.equals("off")) {
      return Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    if (setting.equals("auto")) {
      String tools = System.getenv("MESHWORK_TOOLS");
      candidates.add(
          tools != null
              ? Path.of(tools, "ghz")
              : Path.of(System.getProperty("user.home"), ".cache", "meshwork", "bin", "ghz"));
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "ghz"));
        }
      }
    } else {
      candidates.add(Path.of(setting));
    }
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        Path protoset = workDir.resolve("agent.protoset");
        Files.write(protoset, descriptorSet(AgentProto.getDescriptor()).toByteArray());
        return Optional.of(new Ghz(candidate, workDir, protoset));
      }
    }
    return Optional.empty();
  }

  Path binary() {
    return binary;
  }

  /** Calls {@code bench.noop} at {@code target} at {@code rate}/s for {@code length}. */
  Result invoke(String target, Tls tls, int rate, Duration length)
      throws IOException, InterruptedException {
    requireNonNull(target, "target");
    Path report = Files.createTempFile(workDir, "ghz", ".json");
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--protoset",
                protoset.toString(),
                "--call",
                "meshwork.agent.v1.AgentService.Invoke",
                "--data",
                "{\"skill_id\": \"" + BenchAgent.SKILL + "\", \"input\": [{\"text\": \"hello\"}]}",
                "--rps",
                String.valueOf(rate),
                "--duration",
                length.toMillis() + "ms",
                "--concurrency",
                "16",
                "--connections",
                "1",
                "--timeout",
                "5s",
                "--format",
                "json",
                "--output",
                report.toString()));
    if (tls == null) {
      command.add("--insecure");
    } else {
      command.addAll(
          List.of(
              "--cacert", tls.ca().toString(),
              "--cert", tls.cert().toString(),
              "--key", tls.key().toString(),
              "--cname", "localhost"));
    }
    command.add(target);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("ghz.log").toFile())
            .start();
    if (!process.waitFor(length.toSeconds() + 60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("ghz did not finish; see " + workDir.resolve("ghz.log"));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "ghz exited with "
              + process.exitValue()
              + ": "
              + Files.readString(workDir.resolve("ghz.log")).strip());
    }
    return parse(Files.readString(report));
  }

  private static Result parse(String json) throws IOException {
    Struct.Builder report = Struct.newBuilder();
    JsonFormat.parser().ignoringUnknownFields().merge(json, report);
    Map<String, Value> fields = report.getFieldsMap();
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    for (Value entry : fields.get("latencyDistribution").getListValue().getValuesList()) {
      Map<String, Value> bucket = entry.getStructValue().getFieldsMap();
      double percentage = bucket.get("percentage").getNumberValue();
      double millis = bucket.get("latency").getNumberValue() / 1e6; // nanoseconds
      if (percentage == 50) {
        p50 = millis;
      } else if (percentage == 99) {
        p99 = millis;
      }
    }
    long count = (long) fields.get("count").getNumberValue();
    long ok = 0;
    Value codes = fields.get("statusCodeDistribution");
    if (codes != null) {
      Value okCount = codes.getStructValue().getFieldsMap().get("OK");
      ok = okCount == null ? 0 : (long) okCount.getNumberValue();
    }
    return new Result(p50, p99, count, count - ok);
  }

  private static FileDescriptorSet descriptorSet(FileDescriptor file) {
    Set<FileDescriptor> all = new LinkedHashSet<>();
    addWithDependencies(file, all);
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    all.forEach(f -> set.addFile(f.toProto()));
    return set.build();
  }

  private static void addWithDependencies(FileDescriptor file, Set<FileDescriptor> all) {
    for (FileDescriptor dependency : file.getDependencies()) {
      addWithDependencies(dependency, all);
    }
    all.add(file);
  }
}
