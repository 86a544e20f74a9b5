package secrets

import (
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// ConfigPath is the SOPS configuration at the repository root.
const ConfigPath = ".sops.yaml"

type sopsConfig struct {
	CreationRules []creationRule `json:"creation_rules"`
}

type creationRule struct {
	PathRegex      string `json:"path_regex"`
	EncryptedRegex string `json:"encrypted_regex"`
	Age            string `json:"age"`
}

// PathRegex matches the files of one party's directory, whether sops is given a path
// relative to the repository root or an absolute one.
func PathRegex(party string) string {
	return `(^|/)parties/` + regexp.QuoteMeta(party) + `/.*\.ya?ml$`
}

// Config renders .sops.yaml: one creation rule per party, mapping parties/<party>/ to
// exactly the recipients the generator encrypts that party's secrets to, so a human
// running `sops edit` gets the same result.
func Config(network *model.Network) ([]byte, error) {
	var cfg sopsConfig
	for _, name := range network.PartyNames() {
		cfg.CreationRules = append(cfg.CreationRules, creationRule{
			PathRegex:      PathRegex(name),
			EncryptedRegex: EncryptedRegex,
			Age:            strings.Join(network.Parties[name].Recipients, ","),
		})
	}
	return yaml.Marshal(cfg)
}
