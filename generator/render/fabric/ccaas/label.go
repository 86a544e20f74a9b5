package ccaas

import (
	"fmt"
	"regexp"
)

// labelPattern is Fabric's rule for package labels (Fabric v2.5.16 and v3.1.5
// core/chaincode/persistence/chaincode_package.go LabelRegexp). The peer refuses to
// install a package whose label breaks it, so it is checked here, before anything is
// rendered that names the package.
var labelPattern = regexp.MustCompile(`^[[:alnum:]][[:alnum:]_.+-]*$`)

// ValidateLabel reports whether a peer would accept label as a package label.
func ValidateLabel(label string) error {
	if !labelPattern.MatchString(label) {
		return fmt.Errorf("chaincode package label %q: Fabric requires a non-empty label of ASCII letters, digits and '.', '+', '-', '_', starting with a letter or digit", label)
	}
	return nil
}
