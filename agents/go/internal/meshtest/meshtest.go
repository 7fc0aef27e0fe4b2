// Package meshtest has test fixtures shared by the Go agents' tests: mesh certificates made by the
// real `meshctl certs init` (so identities match the Java side), a fake registry over mTLS, mTLS
// client connections, and polling.
package meshtest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

var (
	certsOnce sync.Once
	certsDir  string
	certsErr  error
	tempDirs  []string
)

// Main runs a package's tests (never exporting spans over OTLP: the tracing test uses an in-memory
// exporter) and removes the certificates made for them.
func Main(m *testing.M) {
	os.Setenv("OTEL_TRACES_EXPORTER", "none")
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

func meshctlJar() (string, error) {
	if jar := os.Getenv("MESHCTL_JAR"); jar != "" {
		return jar, nil
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		jar := filepath.Join(d, "cli", "target", "meshctl.jar")
		if _, err := os.Stat(jar); err == nil {
			return jar, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("cli/target/meshctl.jar not found above %s: build it with `mvn -B -q -pl cli -am install -DskipTests`", dir)
		}
	}
}

// NewCertDir runs `meshctl certs init` into a new temporary directory.
func NewCertDir() (string, error) {
	jar, err := meshctlJar()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "meshwork-certs-")
	if err != nil {
		return "", err
	}
	tempDirs = append(tempDirs, dir)
	var out []byte
	for attempt := 0; attempt < 3; attempt++ { // the jar may be being rebuilt by a concurrent Maven run
		out, err = exec.Command("java", "-jar", jar, "certs", "init", "--dir", dir, "--user", "dev").CombinedOutput()
		if err == nil {
			return dir, nil
		}
		time.Sleep(2 * time.Second)
	}
	return "", fmt.Errorf("meshctl certs init: %v\n%s", err, out)
}

// Certs is a certificate directory shared by the tests of a package: ca.crt, agent/go-echo,
// client/dev, registry/registry, orchestrator/orchestrator, ...
func Certs(t testing.TB) string {
	t.Helper()
	certsOnce.Do(func() { certsDir, certsErr = NewCertDir() })
	if certsErr != nil {
		t.Fatal(certsErr)
	}
	return certsDir
}

// ClientTLS is the TLS configuration of identity (<kind>/<name>) in dir, trusting caDir's CA.
func ClientTLS(t testing.TB, dir, caDir, identity string) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, identity+".crt"), filepath.Join(dir, identity+".key"))
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(filepath.Join(caDir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}
}

// Dial is an mTLS client connection to localhost:port as identity (<kind>/<name>).
func Dial(t testing.TB, certs string, port int, identity string) *grpc.ClientConn {
	t.Helper()
	return DialTLS(t, port, ClientTLS(t, certs, certs, identity))
}

// DialTLS is a client connection to localhost:port with the given TLS configuration.
func DialTLS(t testing.TB, port int, cfg *tls.Config) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(fmt.Sprintf("localhost:%d", port), grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Eventually polls cond every 10 ms for up to timeout.
func Eventually(timeout time.Duration, cond func() bool) bool {
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}
