package comptoir

// SetMaxCatalogBytes lowers the price-list size limit for a test and returns what restores it.
func SetMaxCatalogBytes(n int) (restore func()) {
	old := maxCatalogBytes
	maxCatalogBytes = n
	return func() { maxCatalogBytes = old }
}
