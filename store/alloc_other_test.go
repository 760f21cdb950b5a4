//go:build !unix

package store_test

import (
	"os"
	"testing"
)

// allocatedSize is the file's size where the blocks it takes cannot be read.
func allocatedSize(tb testing.TB, path string) int64 {
	tb.Helper()
	info, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return info.Size()
}
