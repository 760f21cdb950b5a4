package syncer

// SetMaxPageBytes lowers what the client reads of a page or a member, so that a test reaches the
// limit with a small answer; the returned function puts the limit back.
func SetMaxPageBytes(n int64) (restore func()) {
	old := maxPageBytes
	maxPageBytes = n
	return func() { maxPageBytes = old }
}
