// Package central holds the rules the central applies to what registers push and to what its
// back office does, apart from any storage:
//
//   - how an event counts in a register's summary and whether its record links to its chain
//     (Register.Apply), and where a key record says the chains stand (Register.FromHolds);
//   - which batches are taken and which replays are the same event (CheckBatch, StoredEvent);
//   - what an accepted event does to the members' projections (Project), and what the back
//     office's reveals, consent changes, erasures and price lists do (ShowMember,
//     ApplyCentralConsent, EraseCard, Catalog);
//   - how a page of the change feed is built and what its cursors say (Page, ParseCursor);
//   - what the signature auditor must check, in which order and with which key (Audit), and the
//     loop that runs it (RunAuditor);
//   - how a record's event payload reads and writes (RecordPayload, SplitRecordPayload);
//   - the central's key file (Keys).
//
// Every backend of the central (the embedded bbolt file in package store, PostgreSQL in package
// postgres) runs these same rules, reading and writing its projections through Tx, and keeps the
// types here in its storage as they are: their JSON is the stored format.
//
// The package imports the domain package and the standard library only: no transaction, file or
// connection reaches it but through Tx and FeedReader, so that each rule answers from its
// arguments alone.
package central
