package meshagent

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// Identity is a mesh workload identity, the SPIFFE id spiffe://<trust-domain>/<kind>/<name> in a
// certificate's URI SAN.
type Identity struct {
	TrustDomain, Kind, Name string
}

// KindAndName is <kind>/<name>.
func (i Identity) KindAndName() string { return i.Kind + "/" + i.Name }

func (i Identity) String() string { return "spiffe://" + i.TrustDomain + "/" + i.Kind + "/" + i.Name }

var (
	spiffeRE = regexp.MustCompile(`^spiffe://([a-z0-9.-]+)/([a-z]+)/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$`)
	kinds    = map[string]bool{"registry": true, "orchestrator": true, "gateway": true, "agent": true, "client": true}
)

// ParseIdentity reads a SPIFFE id; false when it is not a mesh identity.
func ParseIdentity(spiffeID string) (Identity, bool) {
	m := spiffeRE.FindStringSubmatch(spiffeID)
	if m == nil || !kinds[m[2]] {
		return Identity{}, false
	}
	return Identity{m[1], m[2], m[3]}, true
}

// IdentityOf the leaf certificate, from its URI SANs.
func IdentityOf(cert *x509.Certificate) (Identity, bool) {
	for _, u := range cert.URIs {
		if id, ok := ParseIdentity(u.String()); ok {
			return id, true
		}
	}
	return Identity{}, false
}

// PeerIdentity is the caller's identity (its client certificate's URI SAN), if any.
func PeerIdentity(ctx context.Context) (Identity, bool) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return Identity{}, false
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.PeerCertificates) == 0 {
		return Identity{}, false
	}
	return IdentityOf(info.State.PeerCertificates[0])
}

// Rule allows or denies callers matching any identity pattern the methods matching a pattern.
// Method patterns: *, pkg.Service/*, pkg.Service/Method. Identity patterns: * (any mesh identity),
// <kind>/*, <kind>/<name>. The semantics and file format are those of the Java core's
// AuthorizationPolicy.
type Rule struct {
	Allow      bool
	Method     string
	Identities []string
}

func newRule(allow bool, method string, identities ...string) (Rule, error) {
	if method != "*" && !strings.Contains(method, "/") {
		return Rule{}, fmt.Errorf("method: '%s' (expected: *, pkg.Service/* or pkg.Service/Method)", method)
	}
	if len(identities) == 0 {
		return Rule{}, fmt.Errorf("identities: [] (expected: at least one pattern)")
	}
	for _, p := range identities {
		if p != "*" && strings.Index(p, "/") <= 0 {
			return Rule{}, fmt.Errorf("identity: '%s' (expected: *, <kind>/* or <kind>/<name>)", p)
		}
	}
	return Rule{allow, method, identities}, nil
}

func mustRule(allow bool, method string, identities ...string) Rule {
	r, err := newRule(allow, method, identities...)
	if err != nil {
		panic(err)
	}
	return r
}

func (r Rule) matches(fullMethod string, caller Identity) bool {
	switch {
	case r.Method == "*":
	case strings.HasSuffix(r.Method, "/*"):
		if !strings.HasPrefix(fullMethod, strings.TrimSuffix(r.Method, "*")) {
			return false
		}
	case r.Method != fullMethod:
		return false
	}
	for _, p := range r.Identities {
		switch {
		case p == "*":
			return true
		case strings.HasSuffix(p, "/*"):
			if strings.TrimSuffix(p, "/*") == caller.Kind {
				return true
			}
		case p == caller.KindAndName():
			return true
		}
	}
	return false
}

// Policy is an ordered list of rules: the first matching rule decides; no match denies.
type Policy []Rule

var alwaysRules = []Rule{
	mustRule(true, "grpc.health.v1.Health/*", "*"),
	mustRule(true, "grpc.reflection.v1.ServerReflection/*", "*"),
	mustRule(true, "grpc.reflection.v1alpha.ServerReflection/*", "*"),
}

// Who may call an agent by default: the orchestrator, other agents (agent-to-agent calls through
// the mesh) and client identities (grpcurl, meshctl). Registries and gateways may not.
var agentDefaultRules = []Rule{
	mustRule(true, "meshwork.agent.v1.AgentService/*", "orchestrator/*", "agent/*", "client/*"),
}

// AgentPolicy is the default agent policy, preceded by the rules of policyFile if given.
func AgentPolicy(policyFile string) (Policy, error) {
	var p Policy
	if policyFile != "" {
		rules, err := ParsePolicyFile(policyFile)
		if err != nil {
			return nil, err
		}
		p = append(p, rules...)
	}
	p = append(p, alwaysRules...)
	return append(p, agentDefaultRules...), nil
}

// Allows reports whether caller may call fullMethod (pkg.Service/Method).
func (p Policy) Allows(fullMethod string, caller Identity) bool {
	for _, r := range p {
		if r.matches(fullMethod, caller) {
			return r.Allow
		}
	}
	return false
}

var commentRE = regexp.MustCompile(`#.*`)

// ParsePolicyFile reads rules, one a line: allow|deny <method> <identity>[,<identity>...].
func ParsePolicyFile(path string) ([]Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{fmt.Sprintf("MESHWORK_POLICY_FILE: '%s': %v", path, err)}
	}
	var rules []Rule
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(commentRE.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d: ", path, i+1)
		parts := strings.Fields(line)
		if len(parts) != 3 {
			return nil, &ConfigError{where + "'" + line + "' (expected: allow|deny <method> <identity>[,<identity>...])"}
		}
		effect := strings.ToLower(parts[0])
		if effect != "allow" && effect != "deny" {
			return nil, &ConfigError{where + "effect '" + parts[0] + "' (expected: allow or deny)"}
		}
		r, err := newRule(effect == "allow", parts[1], strings.Split(parts[2], ",")...)
		if err != nil {
			return nil, &ConfigError{where + err.Error()}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// authorizer checks every call's caller against the policy before the handler runs:
// UNAUTHENTICATED without a mesh identity, PERMISSION_DENIED when the policy does not allow it.
type authorizer struct {
	policy      Policy
	trustDomain string
	log         *slog.Logger
}

func (a *authorizer) check(ctx context.Context, method string) error {
	method = strings.TrimPrefix(method, "/")
	caller, ok := PeerIdentity(ctx)
	if !ok {
		return status.Errorf(codes.Unauthenticated, "no mesh identity: the client certificate has no spiffe://%s/ URI SAN", a.trustDomain)
	}
	if caller.TrustDomain != a.trustDomain {
		return status.Errorf(codes.PermissionDenied, "identity %s is not in trust domain %s", caller, a.trustDomain)
	}
	if !a.policy.Allows(method, caller) {
		a.log.Info("denied", "caller", caller.KindAndName(), "method", method)
		return status.Errorf(codes.PermissionDenied, "%s may not call %s", caller.KindAndName(), method)
	}
	return nil
}

func (a *authorizer) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := a.check(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (a *authorizer) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := a.check(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return handler(srv, ss)
}
