package comptoir

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// csvSyntaxError explains a malformed CSV file in the user's language where Go's reader names a
// known fault.
func csvSyntaxError(err error) *Error {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return E(CodeCSVQuote)
	case errors.Is(err, csv.ErrBareQuote):
		return E(CodeCSVBareQuote)
	}
	return E(CodeCSVSyntax, err.Error())
}

// maxCatalogBytes bounds a price list file (64 MiB); a real shop's catalogue is far smaller. It is
// a variable so that the test of the limit need not read 64 MiB.
var maxCatalogBytes = 64 << 20

// ParseCatalogCSV reads a price list as French spreadsheets export it: columns gtin, name, price,
// vat; separated by commas, semicolons or tabs (whichever the first line uses); prices as "12,50"
// or "12.50"; VAT as "20", "10", "5,5", "5.5" or "2,1". A header line is optional and may name the
// columns in any order, in French or English. Files saved by Excel in Windows-1252 are read as
// such, and so is Excel's "Unicode text" (UTF-16 with a byte order mark, tab-separated). The first
// bad row stops the import with its line number, so nothing is half-imported.
func ParseCatalogCSV(r io.Reader) ([]Product, error) { return ParseCatalogCSVProgress(r, nil) }

// ParseCatalogCSVProgress is ParseCatalogCSV telling progress, when not nil, how far it read
// (StepParse: the line reached of the file's lines), so that a price list of a hundred thousand
// rows shows a bar rather than a silent wait.
func ParseCatalogCSVProgress(r io.Reader, progress Progress) ([]Product, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(maxCatalogBytes)+1))
	if err != nil {
		return nil, Wrap(CodeCannotRead, err)
	}
	if len(data) > maxCatalogBytes {
		return nil, E(CodeCSVTooLarge, maxCatalogBytes>>20)
	}
	data, err = decodeUTF16(data)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		data = decodeWindows1252(data)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = detectComma(data)
	cr.FieldsPerRecord = -1
	// With a tab separator the reader's leading-space trimming would eat the tab of an empty
	// field; every cell is trimmed where it is read instead.
	cr.TrimLeadingSpace = cr.Comma != '\t'
	// The file's lines are what the reader's positions count, so that done reaches total exactly
	// at the end, whatever quoted fields span several lines.
	lines := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	cols := [4]int{0, 1, 2, 3}
	width := 4
	var out []Product
	seen := map[string]int{}
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, Wrap(CodeCSVLine, csvSyntaxError(pe.Err), pe.Line)
			}
			return nil, csvSyntaxError(err)
		}
		line, _ := cr.FieldPos(0)
		if progress != nil {
			progress(StepParse, line, lines)
		}
		if blank(rec) {
			// Excel writes ";;;" for an empty row, even above the header.
			continue
		}
		if first {
			first = false
			// A first line naming a known column, with no cell that reads as a number, is a
			// header; anything else is a product row, so that a typo in the first barcode is
			// reported as such and a product named "Prix" or "Libellé" is not taken for a header.
			if isHeader(rec) {
				if cols, err = headerColumns(rec); err != nil {
					return nil, Wrap(CodeCSVLine, err, line)
				}
				width = len(rec)
				continue
			}
		}
		p, err := parseRow(rec, cols, width)
		if err != nil {
			return nil, Wrap(CodeCSVLine, err, line)
		}
		k := GTINKey(p.GTIN)
		if at, dup := seen[k]; dup {
			return nil, Wrap(CodeCSVLine, E(CodeCSVDuplicate, p.GTIN, at), line)
		}
		seen[k] = line
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, E(CodeCSVEmpty)
	}
	if progress != nil {
		progress(StepParse, lines, lines)
	}
	return out, nil
}

// parseRow reads one product. A row must have as many fields as the header (four without one):
// an unquoted decimal comma in a comma-separated file ("3,20") would otherwise shift the VAT into
// the price and import a wrong price without a word.
func parseRow(rec []string, cols [4]int, width int) (Product, error) {
	if len(rec) != width {
		return Product{}, E(CodeCSVColumns, width, len(rec))
	}
	gtin := strings.Join(strings.Fields(rec[cols[0]]), "")
	if err := ValidateGTIN(gtin); err != nil {
		return Product{}, err
	}
	price, err := ParseMoney(rec[cols[2]])
	if err != nil {
		return Product{}, err
	}
	vat, err := ParseVATRate(rec[cols[3]])
	if err != nil {
		return Product{}, err
	}
	return NormalizeProduct(Product{GTIN: gtin, Name: rec[cols[1]], Price: price, VAT: vat})
}

// columnNames are the usual French and English names of the four columns, in column order.
var columnNames = [4][]string{
	{"gtin", "ean", "ean13", "code", "barcode", "code-barres", "code barre", "code-barre", "codebarre"},
	{"name", "label", "libellé", "libelle", "désignation", "designation", "nom", "article", "produit"},
	{"price", "prix", "prix ttc", "pvc", "price ttc"},
	{"vat", "tva", "taux", "taux tva", "vat rate", "taux de tva"},
}

func headerName(cell string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(cell), "(%)")))
}

// isHeader reports whether a line is a header: it names at least one known column and none of
// its cells reads as data. A product row always holds a barcode, a price and a VAT rate, which are
// numbers; a header holds words only. One word is not enough: a product may be called "Prix".
func isHeader(rec []string) bool {
	named := false
	for _, cell := range rec {
		if isNumber(cell) {
			return false
		}
		for _, alts := range columnNames {
			if slices.Contains(alts, headerName(cell)) {
				named = true
			}
		}
	}
	return named
}

// isNumber reports whether a cell reads as data: a code of digits (a barcode, even a mistyped one),
// an amount or a VAT rate.
func isNumber(cell string) bool {
	t := strings.Join(strings.Fields(cell), "")
	if t == "" {
		return false
	}
	if allDigits(t) {
		return true
	}
	if _, err := ParseMoney(cell); err == nil {
		return true
	}
	_, err := ParseVATRate(cell)
	return err == nil
}

// headerColumns finds the four columns in a header line by their names.
func headerColumns(rec []string) ([4]int, error) {
	var cols [4]int
	for i, alts := range columnNames {
		cols[i] = -1
		for j, h := range rec {
			if slices.Contains(alts, headerName(h)) {
				cols[i] = j
			}
		}
		if cols[i] < 0 {
			return cols, E(CodeCSVHeader, alts[0])
		}
	}
	return cols, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// detectComma picks the separator of the first non-blank line: French Excel writes semicolons
// because the comma is its decimal separator, so a semicolon outside quotes means a semicolon
// file even when the line also holds commas (in prices or labels); Excel's "Unicode text" and
// "Text (tab-separated)" separate with tabs. When a line holds both tabs and semicolons, the more
// frequent one separates and the other is text (a label "Pâtes; 500 g").
func detectComma(data []byte) rune {
	first := bytes.TrimLeft(data, "\r\n ")
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	semi, tab, quoted := 0, 0, false
	for _, c := range first {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ';':
			semi++
		case c == '\t':
			tab++
		}
	}
	switch {
	case tab > semi:
		return '\t'
	case semi > 0:
		return ';'
	}
	return ','
}

// decodeUTF16 turns a file saved as UTF-16 into UTF-8. Excel's "Unicode text" is UTF-16
// little-endian with a byte order mark; the big-endian form is read too. A file without the mark
// is returned as it is.
func decodeUTF16(data []byte) ([]byte, error) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		order = binary.LittleEndian
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		order = binary.BigEndian
	default:
		return data, nil
	}
	data = data[2:]
	if len(data)%2 != 0 {
		return nil, E(CodeCSVEncoding)
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order.Uint16(data[2*i:])
	}
	// Unpaired surrogates become U+FFFD, which the label cleaning keeps visible rather than
	// silently dropping a character.
	return []byte(string(utf16.Decode(units))), nil
}

// cp1252 maps the bytes 0x80-0x9F of Windows-1252 that differ from Latin-1 (€, œ, ’, …).
var cp1252 = [32]rune{
	'€', 0xFFFD, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0xFFFD, 'Ž', 0xFFFD,
	0xFFFD, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0xFFFD, 'ž', 'Ÿ',
}

func decodeWindows1252(data []byte) []byte {
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return []byte(b.String())
}
