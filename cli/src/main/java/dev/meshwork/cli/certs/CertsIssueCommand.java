package dev.meshwork.cli.certs;

import static java.util.Objects.requireNonNull;

import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.DurationConverter;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.IssuedCertificate;
import dev.meshwork.core.MeshIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl certs issue <kind>/<name>}: issues (or re-issues) one identity's certificate. */
@Command(
    name = "issue",
    description = {
      "Issue a certificate for one more identity with the existing CA, e.g. agent/echo.",
      "Replaces the identity's files if they exist."
    })
final class CertsIssueCommand implements Callable<Integer> {

  private final CliEnvironment environment;

  @Spec private CommandSpec spec;

  @Mixin private CertDirOption dirOption;

  @Parameters(
      index = "0",
      paramLabel = "<kind>/<name>",
      description = "The identity; kind is one of agent, client, gateway, orchestrator, registry.")
  private String kindAndName;

  @Option(
      names = "--validity",
      paramLabel = "DURATION",
      defaultValue = "365d",
      converter = DurationConverter.class,
      description = "How long the certificate is valid, e.g. 30d, 12h (default: ${DEFAULT-VALUE}).")
  private Duration validity;

  CertsIssueCommand(CliEnvironment environment) {
    this.environment = requireNonNull(environment, "environment");
  }

  @Override
  public Integer call() throws IOException {
    parse(MeshIdentity.DEFAULT_TRUST_DOMAIN); // a malformed identity is reported before the CA
    CertDirectory dir = dirOption.resolve(environment);
    DevCertificateAuthority ca = CaFiles.load(dir);
    MeshIdentity identity = parse(ca.trustDomain());
    boolean existed = dir.has(identity);
    IssuedCertificate issued = ca.issue(identity, validity);
    dir.write(identity, issued);
    PrintWriter out = spec.commandLine().getOut();
    Report.line(
        out,
        existed ? "replaced" : "created",
        identity.kindAndName(),
        Report.files(dir, identity),
        "(" + identity.spiffeId() + ", expires " + issued.cert().getNotAfter().toInstant() + ")");
    out.flush();
    return 0;
  }

  private MeshIdentity parse(String trustDomain) {
    try {
      return MeshIdentity.parseKindName(trustDomain, kindAndName);
    } catch (IllegalArgumentException e) {
      throw MeshctlException.usage(e.getMessage(), e);
    }
  }
}
