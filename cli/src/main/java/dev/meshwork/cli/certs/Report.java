package dev.meshwork.cli.certs;

import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.MeshIdentity;
import java.io.PrintWriter;

/** Formats the one-line-per-file-group output of the certs commands. */
final class Report {

  private Report() {}

  /** {@code <status> <what> <files> <note>}, in aligned columns. */
  static void line(PrintWriter out, String status, String what, String files, String note) {
    String line = String.format("%-8s %-26s %s %s", status, what, files, note);
    out.println(line.stripTrailing());
  }

  /** {@code D/ca.crt, D/ca.key}. */
  static String caFiles(CertDirectory dir) {
    return dir.caCert() + ", " + dir.caKey();
  }

  /** {@code D/<kind>/<name>.crt, D/<kind>/<name>.key}. */
  static String files(CertDirectory dir, MeshIdentity identity) {
    return dir.certFile(identity) + ", " + dir.keyFile(identity);
  }
}
