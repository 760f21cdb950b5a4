package syncer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/comptoir/comptoir/postgres"
)

// TestMain gives the tests a PostgreSQL server of their own for the "postgres" central of the
// contract table, stopped when they are done.
func TestMain(m *testing.M) { pgtest.Main(m) }

// newPostgresCentral is the PostgreSQL central in a database of the test's own, with its key
// file in the test's folder.
func newPostgresCentral(tb testing.TB) comptoir.CentralService {
	tb.Helper()
	c, err := postgres.Open(context.Background(), pgtest.DSN(tb), postgres.Options{KeyPath: filepath.Join(tb.TempDir(), "central.key")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
