package dev.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandHelpTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "agents list",
        "agents watch",
        "workflow put",
        "workflow get",
        "workflow list",
        "run start",
        "run get",
        "run watch",
        "run list",
        "run cancel",
        "run retry"
      })
  void help_everyRemoteCommand_printsUsageWithConnectionOptions(String command) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");

    MeshctlRun run = MeshctlRun.run(Map.of(), args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith("Usage: meshctl " + command)
        .contains(
            "--registry", "--orchestrator", "--cert-dir", "--identity", "--insecure", "--timeout");
  }
}
