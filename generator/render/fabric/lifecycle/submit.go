package lifecycle

import (
	"encoding/base64"
	"fmt"
	"path"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// updateDir is where the submit Job finds the signed envelope.
const (
	updateDir = "/etc/flux-ledger/update"
	updateKey = "update.pb"
)

// ChannelSubmission is a channel's config update with enough signatures, which one
// member party submits.
type ChannelSubmission struct {
	Channel string
	// Sequence is the config sequence the update brings the channel to.
	Sequence uint64
	// Change is "add" or "remove" of Organisation (an MSP ID), "anchor-peers" of it
	// set to Anchors ("host:port"), or "add-consenter", "remove-consenter" or
	// "renew-consenter" of its orderer at Consenter (host:port, as the channel's
	// config lists consenters); ConsenterTLS is a renewed consenter's new TLS
	// certificate (PEM).
	Change, Organisation, Consenter string
	ConsenterTLS                    []byte
	Anchors                         []string
	// Envelope is the envelope with the signatures.
	Envelope []byte
}

// SubmitObjects renders, for one party's cluster, what submits a signed channel update:
// the envelope as a ConfigMap and a Job that runs channel-update.sh as the party's
// admin against the channel's orderers. nodes are the cluster's nodes of the party;
// the Job talks to the orderers only, but needs one of the party's peers' addresses
// for the peer CLI's settings, so the cluster must run one.
func SubmitObjects(network *model.Network, party model.Party, nodes []model.Node, s ChannelSubmission) (map[string]any, error) {
	r, err := newRenderer(network, party, nodes)
	if err != nil {
		return nil, err
	}
	if len(r.peers) == 0 {
		return nil, fmt.Errorf("party %s: submitting channel %s's update needs a peer in the cluster", party.Name, s.Channel)
	}
	name := dnsLabel("channel-update", s.Channel)
	file := "channel-update-" + s.Channel
	r.files[file+"-envelope.yaml"] = &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(name, ComponentLifecycle),
		BinaryData: map[string][]byte{updateKey: s.Envelope},
	}
	orderers, err := r.orderersOf(s.Channel)
	if err != nil {
		return nil, err
	}
	seq := strconv.FormatUint(s.Sequence, 10)
	job, err := r.job(jobSpec{
		what:   "submit-" + s.Channel + "-" + seq,
		script: channelUpdateScript,
		env: append(r.peerEnv(serviceAddress(r.peers[0], r.peers[0].Ports.P2P)),
			corev1.EnvVar{Name: "CHANNEL", Value: s.Channel},
			corev1.EnvVar{Name: "SEQUENCE", Value: seq},
			corev1.EnvVar{Name: "CHANGE", Value: s.Change},
			corev1.EnvVar{Name: "ORG", Value: s.Organisation},
			corev1.EnvVar{Name: "ENVELOPE", Value: path.Join(updateDir, updateKey)},
			corev1.EnvVar{Name: "ORDERERS", Value: orderers},
			corev1.EnvVar{Name: "CONSENTER", Value: s.Consenter},
			// As configtxlator prints bytes fields: base64.
			corev1.EnvVar{Name: "CONSENTER_TLS", Value: base64.StdEncoding.EncodeToString(s.ConsenterTLS)},
			corev1.EnvVar{Name: "ANCHORS", Value: strings.Join(s.Anchors, " ")}),
		volumes: []jobVolume{mspVolume(), tlsVolume(), tlsRootsVolume(), configMapVolume("update", name, updateDir)},
		content: [][]byte{blockDigest(s.Envelope)},
	})
	if err != nil {
		return nil, err
	}
	r.files[file+"-submit.yaml"] = job
	return r.files, nil
}
