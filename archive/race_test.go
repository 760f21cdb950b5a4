//go:build race

package archive_test

// raceEnabled slows the every-byte test down tenfold: under the race detector it samples the
// offsets instead of taking them all.
const raceEnabled = true
