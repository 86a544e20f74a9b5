package manifest

import "testing"

// yaml11 must agree with the regular expression it shortcuts on every string; these
// are the strings the expression matches (YAML 1.1 booleans and sexagesimal numbers,
// from the YAML 1.1 type repository: https://yaml.org/type/bool.html and
// https://yaml.org/type/int.html) and near misses on each side.
func TestYAML11ShortcutAgreesWithTheExpression(t *testing.T) {
	matches := []string{"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
		"1:20", "-1:20", "+190:20:30", "190:20:30.15", "1_0:59", "0000:00"}
	misses := []string{"", "yes!", "Yess", "nO", "oN", "ofF", "nope", "onion", "offset", "none", "null", "true",
		"1:60", "1:2:", "20", "-", "+", "a:1", "1.5", "0x1:2", "10.0.0.1:30303", "p2p", "yy"}
	for _, s := range matches {
		if !yaml11Special.MatchString(s) {
			t.Errorf("%q: the expression no longer matches it; the list is wrong", s)
		}
	}
	for _, s := range append(matches, misses...) {
		if got, want := yaml11(s), yaml11Special.MatchString(s); got != want {
			t.Errorf("yaml11(%q) = %v, the expression says %v", s, got, want)
		}
	}
}

// FuzzYAML11 checks the shortcut against the expression on arbitrary strings.
func FuzzYAML11(f *testing.F) {
	for _, s := range []string{"yes", "1:20", "off", "10.0.0.1:30303", "n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := yaml11(s), yaml11Special.MatchString(s); got != want {
			t.Errorf("yaml11(%q) = %v, the expression says %v", s, got, want)
		}
	})
}
