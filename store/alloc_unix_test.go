//go:build unix

package store_test

import (
	"os"
	"syscall"
	"testing"
)

// allocatedSize is what a file takes on the disk: its allocated blocks, which the holes bbolt
// leaves when it extends its file ahead of use do not count in.
func allocatedSize(tb testing.TB, path string) int64 {
	tb.Helper()
	info, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return info.Size()
}
