// Command tamper alters one byte of a recorded ticket directly in the bbolt file, behind
// Comptoir's back, the way someone editing the file by hand would, so that anyone can watch
// `comptoir verify` catch it. It is a demonstration aid for the README and is not part of the
// register's binary.
//
//	go run ./internal/tamper --db comptoir.db --ticket 7
//	go run ./internal/tamper --db comptoir.db --ticket 7 --forge
//
// With --forge it edits the ticket as a forger without the signing key would, recomputing every
// later hash and link, so that only the signatures catch it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/comptoir/comptoir/internal/journaltest"
)

func main() {
	db := flag.String("db", "comptoir.db", "database file")
	register := flag.String("register", "R1", "register name")
	ticket := flag.Uint64("ticket", 1, "ticket number to alter")
	forge := flag.Bool("forge", false, "recompute every later hash and link, as a forger without the key would")
	flag.Parse()
	tamper := journaltest.TamperTicket
	if *forge {
		tamper = journaltest.ForgeTicket
	}
	said, err := tamper(*db, *register, *ticket)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tamper:", err)
		os.Exit(1)
	}
	fmt.Println(said)
}
