package testenv

import (
	"crypto/tls"

	"cuelang.org/go/cue/token"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// insecureTLS trusts the test API server's self-signed certificate (loopback only).
func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

func schemaGroupKind(group, kind string) schema.GroupKind {
	return schema.GroupKind{Group: group, Kind: kind}
}

const tokenAnd = token.AND
