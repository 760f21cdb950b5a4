// Package pgtest gives tests a PostgreSQL database of their own. A test binary that needs one
// calls Main from its TestMain and DSN in each test: the first DSN starts one server for the whole
// binary (or uses the one COMPTOIR_TEST_PG names), every DSN creates a new empty database on it,
// dropped when the test ends, and Main stops the server and removes its folder once the tests
// are done. A binary that crashes before (a panic, -timeout) leaves its cluster running: the next
// binary that starts one stops and removes it.
//
// The server a test binary starts is a throwaway cluster: initdb in a temporary folder, listening
// only on a unix socket in that folder, with trust authentication and without fsync. The tests
// check what the central stores and refuses, not whether PostgreSQL survives a power cut, so its
// durability is traded for speed; a benchmark that reports figures must use COMPTOIR_TEST_PG and
// say which server it measured.
//
// Where no server can be had (no PostgreSQL installed, not allowed to run it), the tests that need
// one are skipped with the reason, except in CI (CI=true), where they fail: CI installs PostgreSQL
// so that they always run there.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable that points the tests at an existing server instead of
// a throwaway cluster: a DSN whose user may create and drop databases.
const EnvDSN = "COMPTOIR_TEST_PG"

var (
	// mainRunning is set by Main: DSN refuses to start a server that nothing would stop.
	mainRunning atomic.Bool

	once sync.Once
	// admin is the DSN of a database on the server, through which DSN creates and drops the
	// tests' databases; setupErr is why there is no server, when there is none.
	admin    string
	setupErr error
	// stop stops the throwaway cluster and removes its folder; nil when the server is not ours.
	stop func() error
)

// Main runs a package's tests and then stops the server they used, if the binary started one,
// and removes its folder, whether the tests passed or not. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	mainRunning.Store(true)
	code := m.Run()
	if stop != nil {
		if err := stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// DSN returns the DSN of a new empty database for this test, dropped when the test ends. It skips
// the test when no PostgreSQL server can be had, saying why, and fails it instead in CI.
func DSN(tb testing.TB) string {
	tb.Helper()
	if !mainRunning.Load() {
		tb.Fatal("pgtest.DSN needs pgtest.Main in the package's TestMain, which stops the server after the tests")
	}
	once.Do(func() { admin, stop, setupErr = setup() })
	if setupErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("no PostgreSQL server for the tests, and CI must run them: %v", setupErr)
		}
		tb.Skipf("no PostgreSQL server for the tests (install PostgreSQL or set %s): %v", EnvDSN, setupErr)
	}
	name := "comptoir_test_" + randomHex(tb, 8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := adminExec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		tb.Fatalf("create the test's database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends the connections a failed test left open, so that the database always goes.
		if err := adminExec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop the test's database %s: %v", name, err)
		}
	})
	dsn, err := withDatabase(admin, name)
	if err != nil {
		tb.Fatal(err)
	}
	return dsn
}

// randomHex returns n random bytes in hexadecimal: database names must not collide between test
// binaries sharing one server, even from several machines.
func randomHex(tb testing.TB, n int) string {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// adminExec runs one statement on the server through a connection of its own: CREATE and DROP
// DATABASE cannot run inside a transaction, and tests running in parallel each get theirs.
func adminExec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns dsn with its database replaced by name, in either form a DSN is written:
// a URL, or keyword=value pairs, where a later keyword overrides an earlier one.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("%s is not a readable URL", EnvDSN)
		}
		u.Path = "/" + name
		u.RawPath = ""
		q := u.Query()
		q.Del("dbname")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return strings.TrimSpace(dsn) + " dbname=" + name, nil
}

// setup finds the server the tests use: the one COMPTOIR_TEST_PG names, or else a throwaway
// cluster it starts. It returns the admin DSN and, for a cluster, how to stop it.
func setup() (string, func() error, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return "", nil, fmt.Errorf("%s is set but its server cannot be reached: %w", EnvDSN, err)
		}
		conn.Close(ctx)
		return dsn, nil, nil
	}
	return startCluster(ctx)
}

// startCluster starts a PostgreSQL cluster in a new temporary folder, listening on a unix socket
// in that folder, and returns the DSN of its postgres database and the function that stops it and
// removes the folder. PostgreSQL refuses to run as root, so as root the cluster belongs to the
// postgres user, which Debian's package creates.
func startCluster(ctx context.Context) (dsn string, stop func() error, err error) {
	bin, err := binDir()
	if err != nil {
		return "", nil, err
	}
	var asUser []string // the command prefix that runs a program as the cluster's owner
	var owner *user.User
	if os.Geteuid() == 0 {
		owner, err = user.Lookup("postgres")
		if err != nil {
			return "", nil, fmt.Errorf("running as root, PostgreSQL needs the postgres user: %w", err)
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return "", nil, fmt.Errorf("running as root, the cluster must be started as postgres, and runuser is missing: %w", err)
		}
		asUser = []string{runuser, "-u", "postgres", "--"}
	}
	reapOrphans()
	dir, err := os.MkdirTemp("", clusterPrefix)
	if err != nil {
		return "", nil, err
	}
	remove := func() error { return os.RemoveAll(dir) }
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return "", nil, errors.Join(err, remove())
	}
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", nil, errors.Join(err, remove())
		}
	}
	run := func(name string, args ...string) error {
		argv := append(slices.Clone(asUser), append([]string{filepath.Join(bin, name)}, args...)...)
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		// The environment's locale may name one that is not installed; the cluster needs none.
		cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	// --no-sync: a throwaway cluster need not wait for the disk, see the package comment.
	if err := run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return "", nil, errors.Join(err, remove())
	}
	port, err := freePort()
	if err != nil {
		return "", nil, errors.Join(err, remove())
	}
	// listen_addresses='' keeps the cluster off the network: it listens only on its socket, in a
	// folder of its own, so that no other program on the machine can reach it by accident.
	opts := fmt.Sprintf("-p %d -k '%s' -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, dir)
	logFile := filepath.Join(dir, "server.log")
	stop = func() error {
		// The cluster is thrown away: an immediate stop skips the checkpoint a clean one writes.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		argv := append(slices.Clone(asUser), filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("stop the test cluster in %s: %w\n%s", dir, err, out)
		}
		return errors.Join(err, remove())
	}
	if err := run("pg_ctl", "-D", data, "-o", opts, "-l", logFile, "-w", "-t", "120", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		// A server slower to answer than pg_ctl waits may still be starting: stop it all the same.
		return "", nil, errors.Join(fmt.Errorf("%w\nserver log:\n%s", err, log), stop())
	}
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", dir, port), stop, nil
}

// clusterPrefix begins the name of every folder a test binary makes for its cluster.
const clusterPrefix = "comptoir-pg-"

// ownerFile names the file, in a cluster's folder, that holds the process ID of the test binary
// that started the cluster.
const ownerFile = "test-binary.pid"

// reapOrphans stops and removes the clusters of test binaries that ended without stopping theirs:
// a binary that panics or reaches its -timeout exits without reaching the end of Main. A folder
// whose binary still runs, or whose owner file is not written yet, is left alone.
func reapOrphans() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), clusterPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		owner, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || owner <= 0 || !errors.Is(syscall.Kill(owner, 0), syscall.ESRCH) {
			continue
		}
		data := filepath.Join(dir, "data")
		if b, err := os.ReadFile(filepath.Join(data, "postmaster.pid")); err == nil {
			// The server's process ID is the file's first line. It is signalled only if that
			// process is this folder's server: after a reboot the number may be another's.
			first, _, _ := strings.Cut(string(b), "\n")
			server, err := strconv.Atoi(strings.TrimSpace(first))
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", server))
			if err == nil && server > 0 && strings.Contains(string(cmdline), data) {
				// SIGQUIT is PostgreSQL's immediate shutdown, as the normal stop does.
				_ = syscall.Kill(server, syscall.SIGQUIT)
			}
		}
		_ = os.RemoveAll(dir)
	}
}

// binDir finds PostgreSQL's programs: in Debian's versioned folders (the newest), or on the PATH.
func binDir() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) > 0 {
		slices.SortFunc(found, func(a, b string) int { return majorOf(b) - majorOf(a) })
		return filepath.Dir(found[0]), nil
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", errors.New("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin nor on the PATH)")
	}
	return filepath.Dir(p), nil
}

// majorOf reads the major version in /usr/lib/postgresql/<major>/bin/initdb, so that 15 sorts
// before 9; a folder that is not a number sorts last.
func majorOf(initdb string) int {
	n, err := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	if err != nil {
		return -1
	}
	return n
}

// freePort asks the system for a TCP port no one listens on. The cluster listens on no TCP port,
// but the port names its socket file, and a free one keeps the DSN valid if TCP is ever turned on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
