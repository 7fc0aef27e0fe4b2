package dev.meshwork.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exit sequence in a real JVM exit: exit actions run and can still log. */
class ExitSequenceTest {

  @Test
  void jvmExit_withMeshLogManager_exitActionLinesAreWritten() throws Exception {
    String stderr =
        runChild("-Djava.util.logging.manager=" + MeshLogManager.class.getName());

    assertThat(stderr)
        .contains("INFO  [exit-test] exit.Main - started")
        .contains("INFO  [exit-test] exit.Main - draining")
        .contains("INFO  [exit-test] exit.Main - drained");
  }

  private static String runChild(String... jvmFlags) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(List.of(jvmFlags));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), ExitSequenceMain.class.getName()));
    Process process =
        new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child exited").isTrue();
    assertThat(process.exitValue()).isZero();
    return new String(err, StandardCharsets.UTF_8);
  }
}
