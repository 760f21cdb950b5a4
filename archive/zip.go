package archive

import (
	"encoding/binary"
	"hash"
	"hash/crc32"
	"io"
	"time"

	"github.com/comptoir/comptoir"
)

// zipEncoder writes the archive's zip container itself rather than through archive/zip, for two
// reasons. The verifier must notice a change of any byte of the file, and a zip reader ignores
// many (the local headers' copies of the central directory's fields, the padding bits of a
// compressed stream): so the files are stored uncompressed, and the verifier rebuilds the
// container around the files it read and compares every byte with the file it was given. And
// that rebuilding must give the same bytes in ten years, whatever archive/zip then writes: this
// encoder's layout is fixed here, with the archive's format.
//
// Layout: for each file, a local header (version 2.0, flag 0x8: sizes in a data descriptor, no
// extra field), the file's bytes stored, and a data descriptor with its signature; then the
// central directory in the same order and the end record, without comment and without ZIP64
// (an archive is refused above 4 GiB).
type zipEncoder struct {
	w       io.Writer
	off     int64
	date    uint16
	time    uint16
	entries []zipEntry
	cur     *zipEntry
	crc     hash.Hash32
	size    int64
	err     error
}

type zipEntry struct {
	name   string
	crc    uint32
	size   uint32
	offset uint32
}

const (
	zipVersion      = 20
	zipFlags        = 0x8
	maxZipSize      = 1<<32 - 1
	localHeaderLen  = 30
	centralLen      = 46
	endRecordLen    = 22
	descriptorLen   = 16
	sigLocal        = 0x04034b50
	sigCentral      = 0x02014b50
	sigEnd          = 0x06054b50
	sigDataDescript = 0x08074b50
)

func newZipEncoder(w io.Writer, at time.Time) *zipEncoder {
	z := &zipEncoder{w: w, crc: crc32.NewIEEE()}
	z.date, z.time = dosTime(at)
	return z
}

// dosTime is a time in MS-DOS form, in UTC, clamped to the years the form can hold.
func dosTime(t time.Time) (date, clock uint16) {
	t = t.UTC()
	switch {
	case t.Year() < 1980:
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	case t.Year() > 2107:
		t = time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
	}
	date = uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
	clock = uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2)
	return date, clock
}

func (z *zipEncoder) emit(b []byte) {
	if z.err != nil {
		return
	}
	n, err := z.w.Write(b)
	z.off += int64(n)
	z.err = err
	if z.err == nil && z.off > maxZipSize {
		z.err = tooLarge()
	}
}

func tooLarge() error {
	return comptoir.E(comptoir.CodeArchiveInvalid, comptoir.Text{FR: "elle dépasse 4 Gio", EN: "it is larger than 4 GiB"})
}

// begin starts a file: its local header.
func (z *zipEncoder) begin(name string) {
	z.entries = append(z.entries, zipEntry{name: name, offset: uint32(z.off)})
	z.cur = &z.entries[len(z.entries)-1]
	z.crc.Reset()
	z.size = 0
	b := make([]byte, 0, localHeaderLen+len(name))
	b = binary.LittleEndian.AppendUint32(b, sigLocal)
	b = binary.LittleEndian.AppendUint16(b, zipVersion)
	b = binary.LittleEndian.AppendUint16(b, zipFlags)
	b = binary.LittleEndian.AppendUint16(b, 0) // stored
	b = binary.LittleEndian.AppendUint16(b, z.time)
	b = binary.LittleEndian.AppendUint16(b, z.date)
	b = append(b, make([]byte, 12)...) // CRC and sizes: in the data descriptor
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = binary.LittleEndian.AppendUint16(b, 0) // no extra field
	b = append(b, name...)
	z.emit(b)
}

// Write adds bytes to the file begun.
func (z *zipEncoder) Write(p []byte) (int, error) {
	z.emit(p)
	if z.err != nil {
		return 0, z.err
	}
	z.crc.Write(p)
	z.size += int64(len(p))
	return len(p), nil
}

// end closes the file begun: its data descriptor.
func (z *zipEncoder) end() {
	if z.size > maxFileSize {
		z.err = tooLarge()
	}
	z.cur.crc, z.cur.size = z.crc.Sum32(), uint32(z.size)
	b := make([]byte, 0, descriptorLen)
	b = binary.LittleEndian.AppendUint32(b, sigDataDescript)
	b = binary.LittleEndian.AppendUint32(b, z.cur.crc)
	b = binary.LittleEndian.AppendUint32(b, z.cur.size)
	b = binary.LittleEndian.AppendUint32(b, z.cur.size)
	z.emit(b)
}

// close writes the central directory and the end record, and returns the first error met.
func (z *zipEncoder) close() error {
	start := z.off
	for _, e := range z.entries {
		b := make([]byte, 0, centralLen+len(e.name))
		b = binary.LittleEndian.AppendUint32(b, sigCentral)
		b = binary.LittleEndian.AppendUint16(b, zipVersion) // made by: MS-DOS, 2.0
		b = binary.LittleEndian.AppendUint16(b, zipVersion)
		b = binary.LittleEndian.AppendUint16(b, zipFlags)
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint16(b, z.time)
		b = binary.LittleEndian.AppendUint16(b, z.date)
		b = binary.LittleEndian.AppendUint32(b, e.crc)
		b = binary.LittleEndian.AppendUint32(b, e.size)
		b = binary.LittleEndian.AppendUint32(b, e.size)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(e.name)))
		b = append(b, make([]byte, 12)...) // extra, comment, disk, attributes: none
		b = binary.LittleEndian.AppendUint32(b, e.offset)
		b = append(b, e.name...)
		z.emit(b)
	}
	b := make([]byte, 0, endRecordLen)
	b = binary.LittleEndian.AppendUint32(b, sigEnd)
	b = binary.LittleEndian.AppendUint32(b, 0) // this disk, the directory's disk
	b = binary.LittleEndian.AppendUint16(b, uint16(len(z.entries)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(z.entries)))
	b = binary.LittleEndian.AppendUint32(b, uint32(z.off-start))
	b = binary.LittleEndian.AppendUint32(b, uint32(start))
	b = binary.LittleEndian.AppendUint16(b, 0) // no comment
	z.emit(b)
	return z.err
}
