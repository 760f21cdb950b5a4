package archive

import (
	"io"
	"time"
)

// EncodeZip writes files, in order, in the archive's zip layout: what a forger who read this
// package would do to rebuild an archive he edited.
func EncodeZip(w io.Writer, at time.Time, names []string, bodies map[string][]byte) error {
	z := newZipEncoder(w, at)
	for _, name := range names {
		z.begin(name)
		z.Write(bodies[name])
		z.end()
	}
	return z.close()
}
