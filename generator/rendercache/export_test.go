package rendercache

import "time"

// SetRacyWindow sets how soon after a file's last change its fingerprint is
// trusted, for the tests that cannot wait two seconds; it returns the old value.
func SetRacyWindow(d time.Duration) time.Duration {
	old := racyWindow
	racyWindow = d
	return old
}
