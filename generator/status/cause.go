package status

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// StateNotConfigured is a cluster flux-ledger has no way to reach: no kubeconfig, or
// no context of the name the model or --context-map gives it. Unlike Unreachable,
// nothing was tried on the network; the message names what to set.
const StateNotConfigured = "NotConfigured"

// The kubeconfig has no contexts at all, or not the cluster's.
var (
	errNoKubeconfig = errors.New("no kubeconfig with contexts")
	errNoContext    = errors.New("no such kube context")
)

// cause says why a cluster could not be read, leading with the cause (refused,
// no answer within the timeout, no such context, a certificate, credentials) and the
// flag or field that changes it; the underlying error follows for the details.
func cause(err error, cluster model.Cluster, kubeContext, host string, opts Options) (state, message string) {
	where := host
	if u, perr := url.Parse(host); perr == nil && u.Host != "" {
		where = u.Host
	}
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	var netErr net.Error
	switch {
	case errors.Is(err, errNoKubeconfig) || clientcmd.IsEmptyConfig(err):
		return StateNotConfigured, "no kubeconfig: set --kubeconfig or $KUBECONFIG to the file holding the clusters' contexts"
	case errors.Is(err, errNoContext) || clientcmd.IsContextNotFound(err):
		return StateNotConfigured, fmt.Sprintf("no kube context %q in the kubeconfig: set clusters.%s.kubeContext in cue/, or --context-map %s=<context>", kubeContext, cluster.Name, cluster.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return StateUnreachable, fmt.Sprintf("connection refused by %s (context %s): is the API server up, and the address in the kubeconfig right?", where, kubeContext)
	case errors.As(err, &dns):
		return StateUnreachable, fmt.Sprintf("cannot resolve %s (context %s): %s", dns.Name, kubeContext, dns.Err)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return StateUnreachable, fmt.Sprintf("no answer from %s within %s (context %s; raise --timeout for slow links)", where, opts.Timeout.Round(time.Millisecond), kubeContext)
	case errors.As(err, &unknownCA):
		return StateUnreachable, fmt.Sprintf("TLS: %s's certificate is not signed by the context's certificate-authority (context %s)", where, kubeContext)
	case errors.As(err, &wrongHost):
		return StateUnreachable, fmt.Sprintf("TLS: %s's certificate is for %s, not %s (context %s)", where, certificateNames(wrongHost.Certificate), wrongHost.Host, kubeContext)
	case errors.As(err, &invalid):
		return StateUnreachable, fmt.Sprintf("TLS: %s's certificate is invalid: %s (context %s)", where, invalid.Error(), kubeContext)
	case apierrors.IsUnauthorized(err):
		return StateUnreachable, fmt.Sprintf("credentials refused by %s (401, context %s): renew the context's credentials", where, kubeContext)
	case apierrors.IsForbidden(err):
		return StateUnreachable, fmt.Sprintf("forbidden by %s (context %s): the context's user may not read Kustomizations and StatefulSets: %s", where, kubeContext, oneLine(err.Error()))
	}
	return StateUnreachable, fmt.Sprintf("%s (context %s): %s", where, kubeContext, oneLine(err.Error()))
}

func certificateNames(cert *x509.Certificate) string {
	if cert == nil {
		return "another host"
	}
	names := append([]string{}, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return cert.Subject.CommonName
	}
	return fmt.Sprint(names)
}
