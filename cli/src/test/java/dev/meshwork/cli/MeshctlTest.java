package dev.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshctlTest {

  @TempDir Path tmp;

  @Test
  void execute_noSubcommand_exits2WithHint() {
    MeshctlRun run = MeshctlRun.run(Map.of());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: Missing required subcommand").contains("--help");
  }

  @Test
  void execute_unknownOption_exits2WithoutStackTrace() {
    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "init", "--bogus");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("meshctl: Unknown option: '--bogus'")
        .contains("Try 'meshctl certs init --help'")
        .doesNotContain("\tat ");
  }

  @Test
  void execute_dirIsAFile_exits2WithOneLine() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");

    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "init", "--dir", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("meshctl: --dir: '" + file + "' is not a directory\n");
  }

  @Test
  void execute_unexpectedFailure_exits1WithOneLine() throws Exception {
    Path underAFile = Files.writeString(tmp.resolve("file"), "x").resolve("certs");

    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "init", "--dir", underAFile.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("meshctl: ").doesNotContain("\tat ");
    assertThat(run.err().lines()).hasSize(1);
  }

  @Test
  void execute_failureWithDebug_printsStackTrace() throws Exception {
    Path underAFile = Files.writeString(tmp.resolve("file"), "x").resolve("certs");

    MeshctlRun run =
        MeshctlRun.run(
            Map.of("MESHCTL_DEBUG", "1"), "certs", "init", "--dir", underAFile.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("meshctl: ").contains("\tat ");
  }

  @Test
  void execute_help_listsCertsAndExits0() {
    MeshctlRun run = MeshctlRun.run(Map.of(), "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("certs");
  }

  @Test
  void execute_subcommandHelp_isInherited() {
    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "issue", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("<kind>/<name>").contains("--validity");
  }
}
