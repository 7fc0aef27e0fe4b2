package dev.meshwork.cli.certs;

import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.MeshIdentities;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.PemFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl certs show <file.crt>}: prints what matters about a certificate. */
@Command(
    name = "show",
    description = "Print a certificate's subject, SPIFFE id, serial number and validity.")
final class CertsShowCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<file.crt>", description = "A PEM certificate file.")
  private Path file;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(file)) {
      throw MeshctlException.usage("no such file: " + file);
    }
    List<X509Certificate> chain;
    try {
      chain = PemFiles.readCertificates(file);
    } catch (IOException e) {
      throw MeshctlException.usage(e.getMessage(), e);
    }
    X509Certificate cert = chain.get(0);
    PrintWriter out = spec.commandLine().getOut();
    field(out, "subject", cert.getSubjectX500Principal().getName());
    field(out, "issuer", cert.getIssuerX500Principal().getName());
    field(
        out,
        "spiffe id",
        MeshIdentities.fromCertificate(cert).map(MeshIdentity::spiffeId).orElse("(none)"));
    field(out, "serial", cert.getSerialNumber().toString(16));
    field(out, "not before", cert.getNotBefore().toInstant().toString());
    field(out, "not after", notAfter(cert.getNotAfter().toInstant(), Instant.now()));
    field(out, "alt names", altNames(cert));
    field(out, "chain", chain.size() + (chain.size() == 1 ? " certificate" : " certificates"));
    out.flush();
    return 0;
  }

  private static void field(PrintWriter out, String name, String value) {
    out.printf("%-11s %s%n", name + ":", value);
  }

  /** {@code notAfter} with the whole days left (rounded), or how long ago it expired. */
  static String notAfter(Instant notAfter, Instant now) {
    long days = Math.round(Duration.between(now, notAfter).getSeconds() / 86_400.0);
    if (notAfter.isBefore(now)) {
      return notAfter + " (EXPIRED " + -days + (days == -1 ? " day ago)" : " days ago)");
    }
    return notAfter + " (in " + days + (days == 1 ? " day)" : " days)");
  }

  private static String altNames(X509Certificate cert) {
    Collection<List<?>> names;
    try {
      names = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
    if (names == null) {
      return "(none)";
    }
    List<String> values = new ArrayList<>();
    for (List<?> name : names) {
      values.add(String.valueOf(name.get(1)));
    }
    return String.join(", ", values);
  }
}
