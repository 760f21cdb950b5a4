package comptoir

// SoftwareName is the name of the software as receipts, archives and the central carry it.
const SoftwareName = "Comptoir"

// Version is the version of the software as receipts, archives and the central carry it. It is a
// variable, not a constant, so that a release build can set it without editing the source:
//
//	go build -ldflags "-X github.com/comptoir/comptoir.Version=1.0.0" ./cmd/comptoir
//
// A build that does not set it is a development build, which says so.
var Version = "0.9.0-dev"

// Software is the software's name and version as one label, "Comptoir 0.9.0-dev": what a receipt
// prints and what a register tells the central at set-up. It reads Version at each call, so that
// the value a release build set is the one used.
func Software() string { return SoftwareName + " " + Version }
