package dev.meshwork.cli.output;

import com.google.protobuf.MessageOrBuilder;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code -o table|json} option ({@code @Mixin}) of the commands that show records, and how the
 * list commands print them, so they all behave alike: {@code json} prints the whole response in the
 * proto JSON mapping (an empty one too, so scripts always get JSON); {@code table} prints aligned
 * columns, or one line on stderr when there is nothing, so that stdout holds only records.
 */
public final class TableOrJson {

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  private ListFormat format;

  /** Whether {@code -o json} was given. */
  public boolean json() {
    return format == ListFormat.JSON;
  }

  /**
   * Prints a listing.
   *
   * @param response the response holding {@code records}, printed for {@code -o json}
   * @param records the records, to tell whether there are any
   * @param none what to say on stderr when there are none, e.g. {@code "no runs"}
   * @param table the table of the records, made only when it is printed
   */
  public void printList(
      MessageOrBuilder response, List<?> records, String none, Supplier<Table> table) {
    PrintWriter out = command.commandLine().getOut();
    if (json()) {
      out.println(ProtoJson.json(response));
    } else if (records.isEmpty()) {
      PrintWriter err = command.commandLine().getErr();
      err.println(none);
      err.flush();
    } else {
      table.get().print(out);
    }
    out.flush();
  }
}
