package meshagent

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is what an agent process reads from its environment, with the names, defaults and
// duration syntax of the Java services (core's Settings/ServerConfig/TlsConfig):
//
//	MESHWORK_REGISTRY          registry address, default localhost:7001; "none" runs stand-alone
//	MESHWORK_HOST              bind address, default 127.0.0.1
//	MESHWORK_PORT              port, 0 picks a free one; default: the agent's own
//	MESHWORK_ADVERTISE_HOST    host put in the registry, default MESHWORK_HOST (127.0.0.1 for a
//	                           wildcard bind address)
//	MESHWORK_IDENTITY          optional; if set, must be agent/<name> of this agent
//	MESHWORK_INSECURE          true: plaintext, no identities (local development only)
//	MESHWORK_TRUST_DOMAIN      default meshwork.local
//	MESHWORK_CERT_DIR          default $MESHWORK_DATA_DIR/certs, else .data/certs
//	MESHWORK_TLS_CERT/_KEY/_CA explicit files, overriding the cert directory
//	MESHWORK_POLICY_FILE       authorization rules evaluated before the built-in ones
//	MESHWORK_LEASE_TTL         registry lease, default 15s (renewed every third of it)
//	MESHWORK_GRACE_PERIOD      drain time on SIGTERM, default 20s
//	MESHWORK_MAX_CONCURRENCY   AgentService calls served at once, default 64
//	OTEL_*                     tracing (see tracing.go)
type Config struct {
	Name           string
	Registry       string // empty: no registration
	Host           string
	Port           int
	AdvertiseHost  string
	Insecure       bool
	TrustDomain    string
	TLS            *TLSFiles // nil when insecure
	PolicyFile     string
	LeaseTTL       time.Duration
	GracePeriod    time.Duration
	MaxConcurrency int
}

// TLSFiles are the PEM files of this process's identity and the mesh trust bundle.
type TLSFiles struct {
	Cert, Key, CA string
}

// Identity is agent/<name>.
func (c *Config) Identity() string { return "agent/" + c.Name }

// ConfigError is a bad setting; its message names the variable and what was expected.
type ConfigError struct{ msg string }

func (e *ConfigError) Error() string { return e.msg }

// ConfigFromEnv reads the settings of agent name from the process environment.
func ConfigFromEnv(name string, defaultPort int) (*Config, error) {
	return ConfigFrom(name, defaultPort, os.Getenv)
}

// ConfigFrom reads the settings of agent name through getenv (tests pass their own).
func ConfigFrom(name string, defaultPort int, getenv func(string) string) (*Config, error) {
	e := env{getenv}
	c := &Config{Name: name}
	if id := e.str("IDENTITY", ""); id != "" && id != "agent/"+name {
		return nil, &ConfigError{fmt.Sprintf("MESHWORK_IDENTITY: '%s' (expected: agent/%s, the identity of agent %s)", id, name, name)}
	}
	var err error
	if c.Insecure, err = e.boolean("INSECURE", false); err != nil {
		return nil, err
	}
	c.Registry = e.str("REGISTRY", "localhost:7001")
	switch strings.ToLower(c.Registry) {
	case "none", "off", "-":
		c.Registry = ""
	}
	c.Host = e.str("HOST", "127.0.0.1")
	c.AdvertiseHost = e.str("ADVERTISE_HOST", "")
	if c.AdvertiseHost == "" {
		c.AdvertiseHost = c.Host
		switch c.Host {
		case "0.0.0.0", "::", "[::]", "":
			c.AdvertiseHost = "127.0.0.1"
		}
	}
	c.TrustDomain = e.str("TRUST_DOMAIN", "meshwork.local")
	if c.Port, err = e.integer("PORT", defaultPort, 0, 65535); err != nil {
		return nil, err
	}
	if c.LeaseTTL, err = e.duration("LEASE_TTL", 15*time.Second, time.Second, 10*time.Minute); err != nil {
		return nil, err
	}
	if c.GracePeriod, err = e.duration("GRACE_PERIOD", 20*time.Second, 0, time.Hour); err != nil {
		return nil, err
	}
	if c.MaxConcurrency, err = e.integer("MAX_CONCURRENCY", 64, 1, 100000); err != nil {
		return nil, err
	}
	c.PolicyFile = e.str("POLICY_FILE", "")
	if !c.Insecure {
		dir := e.str("CERT_DIR", "")
		if dir == "" {
			dir = filepath.Join(e.str("DATA_DIR", ".data"), "certs")
		}
		c.TLS = &TLSFiles{
			Cert: e.str("TLS_CERT", filepath.Join(dir, "agent", name+".crt")),
			Key:  e.str("TLS_KEY", filepath.Join(dir, "agent", name+".key")),
			CA:   e.str("TLS_CA", filepath.Join(dir, "ca.crt")),
		}
		for _, f := range []struct{ setting, path string }{{"TLS_CERT", c.TLS.Cert}, {"TLS_KEY", c.TLS.Key}, {"TLS_CA", c.TLS.CA}} {
			if st, err := os.Stat(f.path); err != nil || st.IsDir() {
				return nil, &ConfigError{fmt.Sprintf("MESHWORK_%s: '%s' is not a readable file (run `meshctl certs issue agent/%s`, or set MESHWORK_INSECURE=true for plaintext dev mode)", f.setting, f.path, name)}
			}
		}
	}
	return c, nil
}

var durationRE = regexp.MustCompile(`^(\d+)(ms|s|m|h|d)$`)

// ParseDuration reads 500ms, 30s, 5m, 1h, 1d (the Java services' syntax); false if malformed.
func ParseDuration(text string) (time.Duration, bool) {
	m := durationRE.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, true
}

// FormatDuration writes d the way ParseDuration reads it.
func FormatDuration(d time.Duration) string {
	if d%time.Second != 0 {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%ds", int64(d/time.Second))
}

type env struct{ get func(string) string }

func (e env) str(name, def string) string {
	if v := e.get("MESHWORK_" + name); v != "" {
		return v
	}
	return def
}

func (e env) bad(name, value, expected string) error {
	return &ConfigError{fmt.Sprintf("MESHWORK_%s: '%s' (expected: %s)", name, value, expected)}
}

func (e env) integer(name string, def, lo, hi int) (int, error) {
	raw := e.str(name, "")
	if raw == "" {
		return def, nil
	}
	v, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || v < lo || v > hi {
		return 0, e.bad(name, raw, fmt.Sprintf("integer %d..%d", lo, hi))
	}
	return v, nil
}

func (e env) boolean(name string, def bool) (bool, error) {
	raw := e.str(name, "")
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "":
		return def, nil
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, e.bad(name, raw, "true or false")
}

func (e env) duration(name string, def, lo, hi time.Duration) (time.Duration, error) {
	raw := e.str(name, "")
	if raw == "" {
		return def, nil
	}
	v, ok := ParseDuration(raw)
	if !ok || v < lo || v > hi {
		return 0, e.bad(name, raw, fmt.Sprintf("duration like 30s, %s..%s", FormatDuration(lo), FormatDuration(hi)))
	}
	return v, nil
}
