// Package manifest encodes typed Kubernetes objects as the YAML files the repository
// holds: one document per file, fields in the conventional Kubernetes order (apiVersion,
// kind, metadata, spec, …) via kyaml's formatter, map keys sorted, no timestamps — so
// the same object always encodes to the same bytes.
package manifest

import (
	"bytes"
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/filters"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// Encode renders one object (a typed k8s.io/api or Flux API object, or any value that
// marshals to a JSON object) as a YAML document.
func Encode(obj any) ([]byte, error) {
	node, err := Node(obj)
	if err != nil {
		return nil, err
	}
	return EncodeNodes(node)
}

// Node converts an object into a kyaml RNode, dropping the status and the fields the API
// types serialise for objects never stored by a server.
func Node(obj any) (*kyaml.RNode, error) {
	data, err := yaml.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	node, err := kyaml.Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	if err := node.PipeE(kyaml.Clear("status")); err != nil {
		return nil, err
	}
	dropUnset(node.YNode())
	return node, nil
}

// dropUnset removes, at any depth, what Go's zero values serialise to but nobody wrote:
// empty status and updateStrategy objects and null creationTimestamps.
func dropUnset(n *kyaml.Node) {
	if n.Kind == kyaml.MappingNode {
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			empty := value.Kind == kyaml.MappingNode && len(value.Content) == 0
			null := value.Kind == kyaml.ScalarNode && value.Tag == kyaml.NodeTagNull
			if (key.Value == "status" || key.Value == "updateStrategy") && empty || key.Value == "creationTimestamp" && null {
				continue
			}
			kept = append(kept, key, value)
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		dropUnset(c)
	}
}

// EncodeNodes writes nodes as a YAML stream, each formatted in Kubernetes field order.
func EncodeNodes(nodes ...*kyaml.RNode) ([]byte, error) {
	formatted, err := filters.FormatFilter{}.Filter(nodes)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := kio.ByteWriter{Writer: &buf}
	if err := w.Write(formatted); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
