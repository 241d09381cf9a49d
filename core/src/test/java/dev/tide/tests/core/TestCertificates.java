package dev.tide.tests.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed certificates for TLS tests, made with the JDK's keytool (no library, nothing downloaded). */
public final class TestCertificates {

  /** A certificate's key store (PKCS12, password {@link #PASSWORD}) and the certificate alone as PEM. */
  public record Certificate(Path p12, Path pem) {
  }

  public static final String PASSWORD = "secret";

  private TestCertificates() {
  }

  /** A key pair and certificate for {@code san} (e.g. {@code ip:127.0.0.1}), written under {@code dir}. */
  public static Certificate create(Path dir, String san) throws Exception {
    String name = san.replaceAll("\\W", "_");
    Path p12 = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".pem");
    keytool("-genkeypair", "-alias", "tide", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=tide test",
      "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
      "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "tide", "-keystore", p12.toString(), "-storepass", PASSWORD, "-file", pem.toString());
    return new Certificate(p12, pem);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}
