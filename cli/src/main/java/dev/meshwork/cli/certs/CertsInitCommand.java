package dev.meshwork.cli.certs;

import static java.util.Objects.requireNonNull;

import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.DefaultUser;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.MeshIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl certs init}: creates the dev CA (unless one exists) and a certificate for every
 * mesh component, every sample agent and the user. Idempotent: an existing CA is kept, and so is
 * every certificate that is present, signed by it and not about to expire.
 */
@Command(
    name = "init",
    description = {
      "Create the dev CA and certificates for the registry, orchestrator, gateway, the sample"
          + " agents and you (client/<user>).",
      "An existing CA is kept and only missing or invalid certificates are issued, unless --force."
    })
final class CertsInitCommand implements Callable<Integer> {

  /** The identities every dev mesh needs, besides the user's client identity. */
  static final List<String> STANDARD_IDENTITIES =
      List.of(
          "registry/registry",
          "orchestrator/orchestrator",
          "gateway/gateway",
          "agent/text",
          "agent/data",
          "agent/report",
          "agent/llm",
          "agent/py-echo",
          "agent/go-echo",
          "agent/java-echo");

  private final CliEnvironment environment;

  @Spec private CommandSpec spec;

  @Mixin private CertDirOption dirOption;

  @Option(
      names = "--trust-domain",
      paramLabel = "DOMAIN",
      description =
          "Trust domain of a new CA (default: "
              + MeshIdentity.DEFAULT_TRUST_DOMAIN
              + "); must match an existing CA unless --force.")
  private String trustDomain;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description =
          "Name of your client certificate client/NAME (default: $MESHWORK_USER, else $USER"
              + " lower-cased, else dev; the identity the other commands use by default).")
  private String user;

  @Option(
      names = "--force",
      description = "Replace an existing CA and re-issue every certificate in DIR.")
  private boolean force;

  CertsInitCommand(CliEnvironment environment) {
    this.environment = requireNonNull(environment, "environment");
  }

  @Override
  public Integer call() throws IOException {
    CertDirectory dir = dirOption.resolve(environment);
    String clientName = clientName();
    PrintWriter out = spec.commandLine().getOut();
    boolean keepCa = dir.hasCa() && !force;
    DevCertificateAuthority ca = keepCa ? keptCa(dir, out) : newCa(dir, out);
    MeshIdentity client = new MeshIdentity(ca.trustDomain(), "client", clientName);
    Instant now = Instant.now();
    for (MeshIdentity identity : identities(dir, ca.trustDomain(), client, keepCa)) {
      Optional<String> problem =
          keepCa ? IdentityCheck.problem(ca, dir, identity, now) : Optional.of("new CA");
      if (problem.isEmpty()) {
        Report.line(out, "kept", identity.kindAndName(), Report.files(dir, identity), "");
        continue;
      }
      boolean existed = dir.has(identity);
      dir.write(identity, ca.issue(identity));
      String status = !existed ? "created" : keepCa ? "renewed" : "replaced";
      String note = existed && keepCa ? "(" + problem.get() + ")" : "";
      Report.line(out, status, identity.kindAndName(), Report.files(dir, identity), note);
    }
    out.println();
    out.println(
        "Certificates for trust domain "
            + ca.trustDomain()
            + " are in "
            + dir.root()
            + ". Try them with grpcurl (registry on port 7001):");
    out.println(
        "  grpcurl -cacert "
            + dir.caCert()
            + " -cert "
            + dir.certFile(client)
            + " -key "
            + dir.keyFile(client)
            + " localhost:7001 list");
    out.flush();
    return 0;
  }

  private DevCertificateAuthority keptCa(CertDirectory dir, PrintWriter out) {
    DevCertificateAuthority ca = CaFiles.load(dir);
    if (trustDomain != null && !trustDomain.equals(ca.trustDomain())) {
      throw MeshctlException.usage(
          "the CA in "
              + dir.root()
              + " is for trust domain '"
              + ca.trustDomain()
              + "', not '"
              + trustDomain
              + "' (pass --force to replace it and every certificate)");
    }
    Report.line(out, "kept", "CA", Report.caFiles(dir), "(trust domain " + ca.trustDomain() + ")");
    return ca;
  }

  private DevCertificateAuthority newCa(CertDirectory dir, PrintWriter out) throws IOException {
    if (!force && CaFiles.isHalfPresent(dir)) {
      throw MeshctlException.usage(
          dir.root()
              + " holds only one of ca.crt and ca.key; restore the other, or pass --force"
              + " to create a new CA");
    }
    String domain = trustDomain != null ? trustDomain : MeshIdentity.DEFAULT_TRUST_DOMAIN;
    DevCertificateAuthority ca;
    try {
      ca = DevCertificateAuthority.create(domain);
    } catch (IllegalArgumentException e) {
      throw MeshctlException.usage("--trust-domain: " + e.getMessage(), e);
    }
    String status = dir.hasCa() ? "replaced" : "created";
    ca.writeTo(dir);
    Report.line(out, status, "CA", Report.caFiles(dir), "(trust domain " + ca.trustDomain() + ")");
    return ca;
  }

  /**
   * The standard identities and the client; with a new CA also whatever else DIR holds, so that
   * identities issued with {@code certs issue} keep working.
   */
  private static List<MeshIdentity> identities(
      CertDirectory dir, String trustDomain, MeshIdentity client, boolean keepCa)
      throws IOException {
    Set<MeshIdentity> identities = new LinkedHashSet<>();
    for (String kindAndName : STANDARD_IDENTITIES) {
      identities.add(MeshIdentity.parseKindName(trustDomain, kindAndName));
    }
    identities.add(client);
    if (!keepCa) {
      identities.addAll(IdentityScan.identities(dir, trustDomain));
    }
    return new ArrayList<>(identities);
  }

  private String clientName() {
    return user == null ? DefaultUser.name(environment) : DefaultUser.validate(user, "--user");
  }
}
