// Package central holds the rules the central applies to what registers push, apart from any
// storage: how an event counts in a register's summary and whether its record links to its
// chain (Register.Apply), where a key record says the chains stand (Register.FromHolds), what
// the signature auditor must check, in which order and with which key (Audit), and how a
// record's event payload reads and writes (RecordPayload, SplitRecordPayload). Every backend of
// the central (the embedded bbolt file in package store, a database server) runs these same
// rules, and keeps the types here in its storage as they are: their JSON is the stored format.
//
// The package imports the domain package and the standard library only: no transaction, file or
// connection reaches it, so that each function answers from its arguments alone.
package central
