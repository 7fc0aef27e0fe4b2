package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.core.internal.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

  private static final DevCertificateAuthority CA =
      DevCertificateAuthority.create("meshwork.local");
  private static final IssuedCertificate ISSUED =
      CA.issue(new MeshIdentity("meshwork.local", "client", "alice"));

  @TempDir Path tmp;

  @Test
  void writeCertificates_chain_roundTripsInOrder() throws Exception {
    Path file = tmp.resolve("alice.crt");

    PemFiles.writeCertificates(file, ISSUED.chain());

    assertThat(PemFiles.readCertificates(file)).containsExactlyElementsOf(ISSUED.chain());
    assertThat(PemFiles.readCertificate(file)).isEqualTo(ISSUED.cert());
    String text = Files.readString(file);
    assertThat(text).startsWith("-----BEGIN CERTIFICATE-----\n");
    assertThat(text.split("-----BEGIN CERTIFICATE-----", -1)).hasSize(3);
  }

  @Test
  void writePrivateKey_key_isPkcs8PemThatRoundTrips() throws Exception {
    Path file = tmp.resolve("alice.key");

    PemFiles.writePrivateKey(file, ISSUED.key());

    String text = Files.readString(file);
    assertThat(text)
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    PrivateKey read = PemFiles.readPrivateKey(file);
    assertThat(read.getEncoded()).isEqualTo(ISSUED.key().getEncoded());
    assertThat(read.getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void writePrivateKey_posixFileSystem_setsMode0600() throws Exception {
    Path file = tmp.resolve("keys/alice.key");

    PemFiles.writePrivateKey(file, ISSUED.key());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void writeCertificates_posixFileSystem_setsMode0644() throws Exception {
    Path file = tmp.resolve("alice.crt");

    PemFiles.writeCertificates(file, ISSUED.chain());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void writePrivateKey_existingFile_isReplacedWithoutLeavingTempFiles() throws Exception {
    Path file = tmp.resolve("alice.key");
    Files.writeString(file, "old content");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

    PemFiles.writePrivateKey(file, ISSUED.key());

    assertThat(PemFiles.readPrivateKey(file).getEncoded()).isEqualTo(ISSUED.key().getEncoded());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void readPrivateKey_sec1EcKeyAsOpensslWritesIt_isAccepted() throws Exception {
    ECPrivateKey key = (ECPrivateKey) ISSUED.key();
    byte[] sec1 =
        new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), SECObjectIdentifiers.secp256r1)
            .getEncoded();
    Path file = tmp.resolve("sec1.key");
    Files.writeString(file, Pem.encode("EC PRIVATE KEY", sec1), StandardCharsets.US_ASCII);

    PrivateKey read = PemFiles.readPrivateKey(file);

    assertThat(read).isInstanceOf(ECPrivateKey.class);
    assertThat(((ECPrivateKey) read).getS()).isEqualTo(key.getS());
  }

  @Test
  void readCertificates_fileWithoutCertificate_throws() throws Exception {
    Path file = tmp.resolve("empty.crt");
    Files.writeString(file, "hello\n");

    assertThatThrownBy(() -> PemFiles.readCertificates(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no CERTIFICATE block");
  }

  @Test
  void readPrivateKey_certificateFile_throws() throws Exception {
    Path file = tmp.resolve("alice.crt");
    PemFiles.writeCertificates(file, List.of(ISSUED.cert()));

    assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no unencrypted PRIVATE KEY block");
  }

  @Test
  void parseCertificates_encodedText_roundTrips() throws Exception {
    List<X509Certificate> parsed =
        PemFiles.parseCertificates(PemFiles.encodeCertificates(ISSUED.chain()));

    assertThat(parsed).containsExactlyElementsOf(ISSUED.chain());
  }

  @Test
  void encodeCertificates_emptyChain_throws() {
    assertThatThrownBy(() -> PemFiles.encodeCertificates(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
