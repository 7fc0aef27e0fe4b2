package dev.meshwork.cli.certs;

import picocli.CommandLine.Command;

/** {@code meshctl certs}: the dev PKI (a local CA and one certificate per mesh identity). */
@Command(
    name = "certs",
    description = {
      "Manage the dev PKI: a local CA and one mTLS certificate per mesh identity.",
      "Layout of DIR: ca.crt, ca.key, <kind>/<name>.crt, <kind>/<name>.key."
    },
    subcommands = {CertsInitCommand.class, CertsIssueCommand.class, CertsShowCommand.class})
public final class CertsCommand {}
