package comptoir

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxCatalogBytes bounds a price list file; a real shop's catalogue is far smaller.
const MaxCatalogBytes = 64 << 20

// ParseCatalogCSV reads a price list as French spreadsheets export it: columns gtin, name, price,
// vat; separated by commas or semicolons (whichever the first line uses); prices as "12,50" or
// "12.50"; VAT as "20", "10", "5,5", "5.5" or "2,1". A header line is optional and may name the
// columns in any order, in French or English. Files saved by Excel in Windows-1252 are read as
// such. The first bad row stops the import with its line number, so nothing is half-imported.
func ParseCatalogCSV(r io.Reader) ([]Product, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCatalogBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxCatalogBytes {
		return nil, E(CodeCSVSyntax, "file larger than 64 MiB")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		data = decodeWindows1252(data)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = detectComma(data)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cols := [4]int{0, 1, 2, 3}
	header := false
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
				return nil, Wrap(CodeCSVLine, E(CodeCSVSyntax, pe.Err.Error()), pe.Line)
			}
			return nil, E(CodeCSVSyntax, err.Error())
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			// Excel writes ";;;" for an empty row, even above the header.
			continue
		}
		if first {
			first = false
			if !allDigits(strings.Join(strings.Fields(rec[0]), "")) {
				if cols, err = headerColumns(rec); err != nil {
					return nil, Wrap(CodeCSVLine, err, line)
				}
				header = true
				continue
			}
		}
		p, err := parseRow(rec, cols, header)
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
	return out, nil
}

func parseRow(rec []string, cols [4]int, header bool) (Product, error) {
	maxCol := max(cols[0], cols[1], cols[2], cols[3])
	if len(rec) <= maxCol || !header && len(rec) != 4 {
		return Product{}, E(CodeCSVColumns, len(rec))
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

// headerColumns finds the four columns in a header line by their usual French or English names.
func headerColumns(rec []string) ([4]int, error) {
	names := [4][]string{
		{"gtin", "ean", "ean13", "code", "barcode", "code-barres", "code barre", "code-barre", "codebarre"},
		{"name", "label", "libellé", "libelle", "désignation", "designation", "nom", "article", "produit"},
		{"price", "prix", "prix ttc", "pvc", "price ttc"},
		{"vat", "tva", "taux", "taux tva", "vat rate", "taux de tva"},
	}
	var cols [4]int
	for i, alts := range names {
		cols[i] = -1
		for j, h := range rec {
			h = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), "(%)")))
			for _, a := range alts {
				if h == a {
					cols[i] = j
				}
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

// detectComma picks the separator of the first line: French Excel writes semicolons because the
// comma is its decimal separator, so a semicolon outside quotes means a semicolon file even when
// the line also holds commas (in prices or labels).
func detectComma(data []byte) rune {
	first := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		first = data[:i]
	}
	semi, quoted := 0, false
	for _, c := range first {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ';':
			semi++
		}
	}
	if semi > 0 {
		return ';'
	}
	return ','
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
