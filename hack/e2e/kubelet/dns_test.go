//go:build e2e

package kubelet

import (
	"net"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// dnsServer answers A queries for a set of names on the bridge address, port 53: the
// pods' resolver (the kubelet's clusterDNS). It plays the DNS the rendered peer names
// live in (external-dns publishing each node's name). Any other name is NXDOMAIN.
type dnsServer struct {
	mu    sync.Mutex
	names map[string]net.IP // lower case, fully qualified (trailing dot)
	conn  *net.UDPConn
}

func (n *node) startDNS(t *testing.T) *dnsServer {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: n.ip, Port: 53})
	if err != nil {
		t.Fatalf("DNS on the bridge: %v", err)
	}
	s := &dnsServer{names: map[string]net.IP{}, conn: conn}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			size, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if reply := s.answer(buf[:size]); reply != nil {
				conn.WriteToUDP(reply, from)
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	n.dns = s
	return s
}

// set makes name resolve to ip (nil: not at all).
func (s *dnsServer) set(name string, ip net.IP) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.ToLower(strings.TrimSuffix(name, ".")) + "."
	if ip == nil {
		delete(s.names, name)
		return
	}
	s.names[name] = ip.To4()
}

func (s *dnsServer) answer(query []byte) []byte {
	var p dnsmessage.Parser
	header, err := p.Start(query)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	s.mu.Lock()
	ip, known := s.names[strings.ToLower(q.Name.String())]
	s.mu.Unlock()
	reply := dnsmessage.Header{ID: header.ID, Response: true, Authoritative: true, RecursionDesired: header.RecursionDesired}
	if !known {
		reply.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, reply)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	if known && q.Type == dnsmessage.TypeA {
		var a [4]byte
		copy(a[:], ip)
		b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 5}, dnsmessage.AResource{A: a})
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}
