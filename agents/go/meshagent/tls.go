package meshagent

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"
)

// tlsFiles loads an identity's PEM files and re-reads them when they change (checked at most once
// a second, on use), so rotated certificates are used without a restart.
type tlsFiles struct {
	files TLSFiles

	mu      sync.Mutex
	checked time.Time
	stamp   [3]time.Time
	cert    *tls.Certificate
	pool    *x509.CertPool
}

func loadTLS(files TLSFiles) (*tlsFiles, error) {
	t := &tlsFiles{files: files}
	if err := t.reload(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *tlsFiles) stamps() [3]time.Time {
	var out [3]time.Time
	for i, p := range []string{t.files.Cert, t.files.Key, t.files.CA} {
		if st, err := os.Stat(p); err == nil {
			out[i] = st.ModTime()
		}
	}
	return out
}

func (t *tlsFiles) reload() error {
	stamp := t.stamps()
	cert, err := tls.LoadX509KeyPair(t.files.Cert, t.files.Key)
	if err != nil {
		return fmt.Errorf("MESHWORK_TLS_CERT/KEY: %w", err)
	}
	caPEM, err := os.ReadFile(t.files.CA)
	if err != nil {
		return fmt.Errorf("MESHWORK_TLS_CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("MESHWORK_TLS_CA: '%s' holds no PEM certificate", t.files.CA)
	}
	t.cert, t.pool, t.stamp = &cert, pool, stamp
	return nil
}

// current returns the certificate and trust pool, reloading them if the files changed.
func (t *tlsFiles) current() (*tls.Certificate, *x509.CertPool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if time.Since(t.checked) >= time.Second {
		t.checked = time.Now()
		if t.stamps() != t.stamp {
			_ = t.reload() // keep the old material if the new files are unreadable (half-written)
		}
	}
	return t.cert, t.pool
}

// serverConfig requires a client certificate from the mesh CA.
func (t *tlsFiles) serverConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			cert, pool := t.current()
			return &tls.Config{
				MinVersion:   tls.VersionTLS12,
				Certificates: []tls.Certificate{*cert},
				ClientAuth:   tls.RequireAndVerifyClientCert,
				ClientCAs:    pool,
				NextProtos:   []string{"h2"},
			}, nil
		},
	}
}

// clientConfig presents this identity and verifies the server's chain against the mesh CA (and its
// host name against the certificate's DNS/IP SANs).
func (t *tlsFiles) clientConfig() *tls.Config {
	_, pool := t.current()
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    pool,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			cert, _ := t.current()
			return cert, nil
		},
	}
}
