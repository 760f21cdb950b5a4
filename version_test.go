package comptoir

import "testing"

func TestSoftware_NameAndVersion(t *testing.T) {
	if got, want := Software(), "Comptoir 0.9.0-dev"; got != want {
		t.Errorf("Software() = %q, want %q", got, want)
	}
}

// TestSoftware_FollowsVersion checks that a version set at build time (-ldflags -X changes the
// variable before main runs) is the one Software reports, not the default.
func TestSoftware_FollowsVersion(t *testing.T) {
	saved := Version
	t.Cleanup(func() { Version = saved })
	Version = "1.2.3"
	if got, want := Software(), "Comptoir 1.2.3"; got != want {
		t.Errorf("Software() = %q, want %q", got, want)
	}
}
