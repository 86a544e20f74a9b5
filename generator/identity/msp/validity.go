package msp

import (
	"errors"
	"fmt"
	"time"
)

// Validity is when a certificate may be used. The caller chooses it: lifetimes and
// renewal dates are policy, not something this package guesses.
type Validity struct {
	NotBefore time.Time
	NotAfter  time.Time
}

// Clock tells the time issuance is checked against. Tests inject a fixed one.
type Clock func() time.Time

func (c Clock) now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// check refuses an empty or inverted window, and one already over at issuance: such a
// certificate could only ever be rejected.
func (v Validity) check(now time.Time) error {
	if v.NotBefore.IsZero() || v.NotAfter.IsZero() {
		return errors.New("validity needs both NotBefore and NotAfter")
	}
	if !v.NotAfter.After(v.NotBefore) {
		return fmt.Errorf("validity ends (%s) before it starts (%s)", v.NotAfter.UTC().Format(time.RFC3339), v.NotBefore.UTC().Format(time.RFC3339))
	}
	if !v.NotAfter.After(now) {
		return fmt.Errorf("validity already ended at %s", v.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// within refuses a leaf window outside its CA's. Fabric validates an identity's chain
// at the leaf's NotBefore plus one second (msp/mspimplvalidate.go getValidityOptsForCert),
// so the CA must already be valid then; TLS peers check the CA at the current time, so
// it must also outlive the leaf.
func (v Validity) within(ca Validity) error {
	if v.NotBefore.Before(ca.NotBefore) {
		return fmt.Errorf("certificate would start (%s) before its CA (%s)", v.NotBefore.UTC().Format(time.RFC3339), ca.NotBefore.UTC().Format(time.RFC3339))
	}
	if v.NotAfter.After(ca.NotAfter) {
		return fmt.Errorf("certificate would end (%s) after its CA (%s): renew the CA first", v.NotAfter.UTC().Format(time.RFC3339), ca.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}
