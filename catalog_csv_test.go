package comptoir_test

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"
	"unicode/utf16"

	"github.com/comptoir/comptoir"
)

func product(gtin, name string, price comptoir.Money, vat comptoir.VATRate) comptoir.Product {
	return comptoir.Product{GTIN: gtin, Name: name, Price: price, VAT: vat}
}

var catalogOK = []struct {
	name string
	in   string
	want []comptoir.Product
}{
	{"comma with header",
		"gtin,name,price,vat\n3017620422003,Nutella 400 g,4.25,5.5\n4006381333931,Stylo,12.50,20\n",
		[]comptoir.Product{product("3017620422003", "Nutella 400 g", 425, 550), product("4006381333931", "Stylo", 1250, 2000)}},
	{"semicolon French export",
		"gtin;libellé;prix;tva\n3017620422003;Pâte à tartiner, noisettes;4,25;5,5\n036000291452;Mouchoirs;1 234,50;20\n96385074;Journal;2,10;2,1\n",
		[]comptoir.Product{product("3017620422003", "Pâte à tartiner, noisettes", 425, 550), product("036000291452", "Mouchoirs", 123450, 2000), product("96385074", "Journal", 210, 210)}},
	{"French header names in another order",
		"prix;code-barres;tva;libellé\n4,25;3017620422003;5,5;Nutella\n10;96385074;10;Repas\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550), product("96385074", "Repas", 1000, 1000)}},
	{"spreadsheet header with extra columns",
		"Désignation;Stock;EAN;Prix TTC;Taux TVA (%)\nNutella;12;3017620422003;4,25 €;5,5 %\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550)}},
	{"no header",
		"3017620422003,Nutella,4.25,5.5\n4006381333931,Stylo,12.5,20",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550), product("4006381333931", "Stylo", 1250, 2000)}},
	{"no header, semicolons and commas in equal numbers",
		"3017620422003;Pâte, noisettes;4,25;5,5\n",
		[]comptoir.Product{product("3017620422003", "Pâte, noisettes", 425, 550)}},
	{"quoted comma price in a comma file",
		"gtin,name,price,vat\n3017620422003,Nutella,\"4,25\",\"5,5\"\n4006381333931,\"Stylo, bleu\",\"12,50\",20\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550), product("4006381333931", "Stylo, bleu", 1250, 2000)}},
	{"spaces after the separator",
		"3017620422003, Nutella, 4.25, 5.5\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550)}},
	{"UTF-8 BOM",
		"\xef\xbb\xbfgtin;name;price;vat\n3017620422003;Crème;4,25;5,5\n",
		[]comptoir.Product{product("3017620422003", "Crème", 425, 550)}},
	{"Windows-1252",
		"gtin;libell\xe9;prix;tva\r\n3017620422003;Cr\xe8me br\xfbl\xe9e;4,25;5,5\r\n4006381333931;Bo\xeete \x80 \x93stylos\x94;12,50;20\r\n",
		[]comptoir.Product{product("3017620422003", "Crème brûlée", 425, 550), product("4006381333931", "Boîte € “stylos”", 1250, 2000)}},
	{"blank lines skipped",
		"\n\ngtin,name,price,vat\n\n3017620422003,Nutella,4.25,5.5\n\n,,,\n , , , \n4006381333931,Stylo,12.50,20\n\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550), product("4006381333931", "Stylo", 1250, 2000)}},
	{"GTIN with spaces, name cleaned and cut",
		"gtin,name,price,vat\n3017 6204 22003,\x1b[31mNutella\x1b[0m,4.25,5.5\n4006381333931," + strings.Repeat("Stylo ", 20) + ",1,20\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550), product("4006381333931", strings.TrimSpace(strings.Repeat("Stylo ", 14)[:comptoir.MaxNameLen]), 100, 2000)}},
	{"empty spreadsheet row above the header",
		";;;\ngtin;name;price;vat\n3017620422003;Nutella;4,25;5,5\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550)}},
	{"no header, more commas than semicolons on the first line",
		"3017620422003;Pâte, noisettes, cacao, sucre;4,25;5,5\n",
		[]comptoir.Product{product("3017620422003", "Pâte, noisettes, cacao, sucre", 425, 550)}},
	{"no header, first GTIN with spaces",
		"3017 6204 22003;Nutella;4,25;5,5\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550)}},
	{"quoted name over two lines",
		"gtin,name,price,vat\n3017620422003,\"Nutella\n400 g\",4.25,5.5\n",
		[]comptoir.Product{product("3017620422003", "Nutella 400 g", 425, 550)}},
	// Excel's "Unicode text": UTF-16LE with a byte order mark, tab-separated, CRLF. The old code
	// read it as Windows-1252 and refused it with a baffling sentence.
	{"Excel Unicode text (UTF-16LE, tabs)",
		utf16Text(false, "Code-barres\tLibellé\tPrix\tTVA\r\n3017620422003\tCrème brûlée; 2 pots\t4,25\t5,5\r\n4006381333931\tStylo €\t1 234,50\t20\r\n"),
		[]comptoir.Product{product("3017620422003", "Crème brûlée; 2 pots", 425, 550), product("4006381333931", "Stylo €", 123450, 2000)}},
	{"UTF-16BE with a byte order mark",
		utf16Text(true, "gtin\tname\tprice\tvat\n3017620422003\tŒufs\t2,10\t5,5\n"),
		[]comptoir.Product{product("3017620422003", "Œufs", 210, 550)}},
	{"tab-separated UTF-8 with empty cells",
		"gtin\tname\tprice\tvat\n\t\t\t\n3017620422003\t Nutella \t 4,25 \t 5,5\n",
		[]comptoir.Product{product("3017620422003", "Nutella", 425, 550)}},
	// A first row whose label is a header word is a product when its cells read as data: the old
	// code took it for a header and lost the product, or refused the file.
	{"no header, first product named Prix",
		"3017620422003;Prix;4,25;5,5\n4006381333931;Stylo;1;20\n",
		[]comptoir.Product{product("3017620422003", "Prix", 425, 550), product("4006381333931", "Stylo", 100, 2000)}},
	{"no header, first product named Libellé",
		"4006381333931,Libellé,12.50,20\n",
		[]comptoir.Product{product("4006381333931", "Libellé", 1250, 2000)}},
}

// utf16Text encodes text as a UTF-16 file with its byte order mark, as Excel saves "Unicode text".
func utf16Text(bigEndian bool, text string) string {
	var b []byte
	put := func(u uint16) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	put(0xfeff)
	for _, u := range utf16.Encode([]rune(text)) {
		put(u)
	}
	return string(b)
}

func TestParseCatalogCSV(t *testing.T) {
	for _, tt := range catalogOK {
		t.Run(tt.name, func(t *testing.T) {
			got, err := comptoir.ParseCatalogCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("products:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

var catalogRefused = []struct {
	name string
	in   string
	// want is the refusal; line is the line number named, 0 for a refusal of the whole file.
	want *comptoir.Error
	line int
	// fr and en are fragments the explanation must hold.
	fr, en []string
}{
	{name: "bad check digit",
		in:   "gtin,name,price,vat\n3017620422003,A,1.00,20\n3017620422004,B,1.00,20\n",
		want: comptoir.ErrGTINCheckDigit, line: 3,
		fr: []string{"ligne 3 : code-barres « 3017620422004 » invalide : la clé de contrôle devrait être 3"},
		en: []string{`line 3: invalid barcode "3017620422004"`}},
	{name: "letters in the GTIN",
		in:   "gtin;name;price;vat\n30176204220O3;A;1;20\n",
		want: comptoir.ErrGTINChars, line: 2},
	{name: "short GTIN",
		in:   "gtin;name;price;vat\n4006381333931;A;1;20\n\n301762;B;1;20\n",
		want: comptoir.ErrGTINLength, line: 4},
	{name: "bad price",
		in:   "gtin;name;price;vat\n4006381333931;A;1;20\n3017620422003;B;abc;20\n",
		want: comptoir.ErrInvalidAmount, line: 3, fr: []string{"ligne 3 : montant illisible « abc »"}},
	{name: "price with three decimals",
		in:   "4006381333931,A,\"12,505\",20\n",
		want: comptoir.ErrInvalidAmount, line: 1},
	{name: "zero price",
		in:   "gtin;name;price;vat\n4006381333931;A;0,00;20\n",
		want: comptoir.ErrInvalidPrice, line: 2},
	{name: "negative price",
		in:   "gtin;name;price;vat\n4006381333931;A;-1,00;20\n",
		want: comptoir.ErrInvalidPrice, line: 2, fr: []string{"-1,00 €"}},
	{name: "price too large",
		in:   "gtin;name;price;vat\n4006381333931;A;2 000 000,00;20\n",
		want: comptoir.ErrAmountTooLarge, line: 2},
	{name: "unknown VAT",
		in:   "gtin;name;price;vat\n4006381333931;A;1;20\n3017620422003;B;1;19,6\n",
		want: comptoir.ErrUnknownVATRate, line: 3, fr: []string{"ligne 3 : taux de TVA inconnu « 19,6 »"}, en: []string{`line 3: unknown VAT rate "19,6"`}},
	{name: "empty name",
		in:   "gtin;name;price;vat\n4006381333931;\x1b\x07;1;20\n",
		want: comptoir.ErrEmptyName, line: 2},
	{name: "three columns",
		in:   "3017620422003,Nutella,4.25\n",
		want: comptoir.ErrCSVColumns, line: 1, fr: []string{"ligne 1 : il faut 4 colonnes", "il y en a 3"}, en: []string{"found 3"}},
	{name: "five columns without header",
		in:   "3017620422003,Nutella,4.25,5.5\n4006381333931,Stylo,1,20,x\n",
		want: comptoir.ErrCSVColumns, line: 2, fr: []string{"il y en a 5"}},
	{name: "short row under a header",
		in:   "gtin;name;price;vat\n3017620422003;Nutella;4,25;5,5\n4006381333931;Stylo\n",
		want: comptoir.ErrCSVColumns, line: 3, fr: []string{"il y en a 2"}},
	{name: "duplicate GTIN",
		in:   "gtin;name;price;vat\n3017620422003;A;1;20\n4006381333931;B;1;20\n3017620422003;C;2;20\n",
		want: comptoir.ErrCSVDuplicate, line: 4,
		fr: []string{"ligne 4 : le code 3017620422003 apparaît déjà ligne 2"}, en: []string{"line 4: code 3017620422003 already appears on line 2"}},
	{name: "duplicate UPC-A as EAN-13",
		in:   "036000291452,A,1,20\n0036000291452,B,1,20\n",
		want: comptoir.ErrCSVDuplicate, line: 2, fr: []string{"0036000291452", "déjà ligne 1"}},
	{name: "duplicate after a multi-line name",
		in:   "gtin,name,price,vat\n3017620422003,\"A\nB\",1,20\n4006381333931,C,1,20\n3017620422003,D,1,20\n",
		want: comptoir.ErrCSVDuplicate, line: 5, fr: []string{"ligne 5 :", "déjà ligne 2"}},
	{name: "missing header column",
		in:   "gtin;libellé;prix\n3017620422003;A;1\n",
		want: comptoir.ErrCSVHeader, line: 1, fr: []string{"ligne 1 : en-tête incomplet : il manque la colonne « vat »"}, en: []string{`column "vat" is missing`}},
	{name: "unknown header is read as a product",
		in:   "foo,bar,baz,qux\n3017620422003,A,1,20\n",
		want: comptoir.ErrGTINChars, line: 1, fr: []string{"« foo »"}},
	{name: "header missing a column",
		in:   "code;libellé;prix\n3017620422003;A;1\n",
		want: comptoir.ErrCSVHeader, line: 1, fr: []string{"« vat »"}},
	{name: "typo in the first barcode of a file without header",
		in:   "X3017620422003;Nutella;4,25;5,5\n",
		want: comptoir.ErrGTINChars, line: 1, fr: []string{"« X3017620422003 »"}},
	{name: "unquoted decimal comma in a comma file with header",
		in:   "gtin,name,price,vat\n3017620422003,Nutella,3,20,5.5\n",
		want: comptoir.ErrCSVColumns, line: 2, fr: []string{"il faut 4 colonnes", "il y en a 5"}},
	{name: "blank first line before a semicolon header",
		in:   "\ngtin;name;price;vat\n3017620422003;Nutella;4,25;5,5\n4006381333931;Stylo;1,20;7\n",
		want: comptoir.ErrUnknownVATRate, line: 4},
	{name: "empty file",
		in:   "",
		want: comptoir.ErrCSVEmpty},
	{name: "blank lines only",
		in:   "\n\r\n\n",
		want: comptoir.ErrCSVEmpty},
	{name: "BOM only",
		in:   "\xef\xbb\xbf",
		want: comptoir.ErrCSVEmpty},
	{name: "header only",
		in:   "gtin;name;price;vat\n",
		want: comptoir.ErrCSVEmpty, fr: []string{"aucun article"}, en: []string{"no product"}},
	{name: "header and blank rows only",
		in:   "gtin,name,price,vat\n,,,\n\n",
		want: comptoir.ErrCSVEmpty},
	{name: "malformed quotes",
		in:   "gtin,name,price,vat\n3017620422003,A,1,20\n4006381333931,\"Sty\"lo,1,20\n",
		want: comptoir.ErrCSVQuote, line: 3, fr: []string{"ligne 3 : guillemet manquant ou en trop"}},
	{name: "bare quote",
		in:   "3017620422003,Nu\"tella,1,20\n",
		want: comptoir.ErrCSVBareQuote, line: 1, fr: []string{"ligne 1 : guillemet dans un champ"}},
	{name: "unterminated quote",
		in:   "gtin,name,price,vat\n3017620422003,\"Nutella,1,20\n4006381333931,Stylo,1,20\n",
		want: comptoir.ErrCSVQuote, line: 3},
	{name: "all-zero GTIN",
		in:   "gtin;name;price;vat\n4006381333931;A;1;20\n0000000000000;B;1;20\n",
		want: comptoir.E(comptoir.CodeGTINZero), line: 3, fr: []string{"ligne 3 : code-barres « 0000000000000 » invalide : il n'est fait que de zéros"}},
	{name: "loyalty card number as a product",
		in:   "gtin;name;price;vat\n0400000000008;Carte;1;20\n",
		want: comptoir.E(comptoir.CodeProductIsCard), line: 2,
		fr: []string{"ligne 2 : 0400000000008 est un numéro de carte de fidélité"}, en: []string{"is a loyalty card number"}},
	{name: "card range as a UPC-A",
		in:   "400000000008,Carte,1,20\n",
		want: comptoir.E(comptoir.CodeProductIsCard), line: 1},
	{name: "price of spaced digits",
		in:   "gtin;name;price;vat\n4006381333931;A;1 2 3 4;20\n",
		want: comptoir.E(comptoir.CodeAmountGrouping), line: 2, fr: []string{"« 1 2 3 4 »", "une espace ne sépare que les milliers"}},
	{name: "first product named Prix with a bad barcode is reported as such",
		in:   "3017620422004;Prix;4,25;5,5\n",
		want: comptoir.ErrGTINCheckDigit, line: 1},
	{name: "UTF-16 cut in the middle of a character",
		in:   utf16Text(false, "gtin\tname\tprice\tvat\n")[:9],
		want: comptoir.E(comptoir.CodeCSVEncoding)},
	{name: "error in a UTF-16 file names its line",
		in:   utf16Text(false, "gtin\tname\tprice\tvat\r\n3017620422003\tA\t1\t20\r\n4006381333931\tB\t1\t7\r\n"),
		want: comptoir.ErrUnknownVATRate, line: 3},
	{name: "error in a Windows-1252 file",
		in:   "gtin;libell\xe9;prix;tva\r\n3017620422003;Cr\xe8me;4,25;5,5\r\n4006381333931;Br\xfbl\xe9e;4,25;7\r\n",
		want: comptoir.ErrUnknownVATRate, line: 3},
}

func TestParseCatalogCSVRefusals(t *testing.T) {
	for _, tt := range catalogRefused {
		t.Run(tt.name, func(t *testing.T) {
			got, err := comptoir.ParseCatalogCSV(strings.NewReader(tt.in))
			checkErr(t, err, tt.want)
			if got != nil {
				t.Errorf("products = %v with an error, want nil: nothing is half-imported", got)
			}
			if tt.line != 0 {
				if !errors.Is(err, comptoir.ErrCSVLine) {
					t.Errorf("error %v does not name a line", err)
				}
				contains(t, "Message(fr)", comptoir.Message(err, fr), "ligne "+strconv.Itoa(tt.line)+" : ")
				contains(t, "Message(en)", comptoir.Message(err, en), "line "+strconv.Itoa(tt.line)+": ")
			} else if errors.Is(err, comptoir.ErrCSVLine) && tt.want != comptoir.ErrCSVSyntax {
				t.Errorf("error %v names a line for a refusal of the whole file", err)
			}
			contains(t, "Message(fr)", comptoir.Message(err, fr), tt.fr...)
			contains(t, "Message(en)", comptoir.Message(err, en), tt.en...)
		})
	}
}

func TestParseCatalogCSVReaderError(t *testing.T) {
	boom := errors.New("boom")
	got, err := comptoir.ParseCatalogCSV(iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Fatalf("error = %v, want %v", err, boom)
	}
	if got != nil {
		t.Errorf("products = %v with an error", got)
	}
	if got, want := comptoir.Message(err, fr), "lecture impossible : boom"; got != want {
		t.Errorf("Message(fr) = %q, want %q", got, want)
	}
}

// repeatReader yields a line forever.
type repeatReader struct{ line []byte }

func (r repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r.line)
	}
	return n, nil
}

func TestParseCatalogCSVTooLarge(t *testing.T) {
	// The real limit is 64 MiB; a 4 KiB one exercises the same code without reading 64 MiB.
	const limit = 4096
	defer comptoir.SetMaxCatalogBytes(limit)()
	got, err := comptoir.ParseCatalogCSV(repeatReader{[]byte("3017620422003,Nutella,4.25,5.5\n")})
	checkErr(t, err, comptoir.ErrCSVTooLarge)
	if got != nil {
		t.Errorf("products = %v with an error", got)
	}

	// Exactly at the limit, the size alone is no refusal.
	var b bytes.Buffer
	b.WriteString("3017620422003,Nutella,4.25,5.5\n")
	b.Write(bytes.Repeat([]byte(" "), limit-b.Len()-1))
	b.WriteByte('\n')
	if got, err := comptoir.ParseCatalogCSV(&b); err != nil || len(got) != 1 {
		t.Errorf("ParseCatalogCSV(%d bytes) = %d products, %v, want 1 product", limit, len(got), err)
	}
}

func FuzzParseCatalogCSV(f *testing.F) {
	for _, tt := range catalogOK {
		f.Add([]byte(tt.in))
	}
	for _, tt := range catalogRefused {
		f.Add([]byte(tt.in))
	}
	for _, s := range []string{
		// A name cut at MaxNameLen runes just after a space.
		"3017620422003," + strings.Repeat("a", comptoir.MaxNameLen-1) + " b,1,20\n",
		"3017620422003;\"" + strings.Repeat("é", comptoir.MaxNameLen-1) + "\u00a0\u00a0x\";1;20\n",
		"\"gtin\";\"name\";\"price\";\"vat\"\n\"3017620422003\";\"A\";\"1\";\"20\"\n",
		"ean\tname\tprice\tvat\n3017620422003\tA\t1\t20\n",
		"gtin,name,price,vat,gtin\n3017620422003,A,1,20,4006381333931\n",
		"gtin,gtin,price,vat\n",
		";;;\ngtin;name;price;vat\n3017620422003;A;1;20\n",
		"3017620422003,\x81\x8d\x8f\x90\x9d,1,20\n",
		"3017620422003,\u200b\u202e,1,20\n",
		"\"",
		"\x00",
		"0000000000000;A;1;20\n",
		"0400000000008;A;1;20\n",
		"3017620422003;A;1 2 3 4;20\n",
		"3017620422003;Prix;4,25;5,5\n",
		"Libellé\tgtin\tprix\ttva\nNutella\t3017620422003\t4,25\t5,5\n",
		utf16Text(false, "gtin\tname\tprice\tvat\r\n3017620422003\tA\t1\t20\r\n"),
		utf16Text(true, "3017620422003\tA\t1\t20\n"),
		"\xff\xfe\x00",
		"\xfe\xff\xd8\x00\x00\x41",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		products, err := comptoir.ParseCatalogCSV(bytes.NewReader(data))
		if err != nil {
			var e *comptoir.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *comptoir.Error", err, err)
			}
			if products != nil {
				t.Fatalf("products = %v with an error", products)
			}
			for _, l := range langs {
				m := comptoir.Message(err, l)
				if m == "" || strings.Contains(m, "%!") && !bytes.Contains(data, []byte("%!")) {
					t.Fatalf("Message(%s) = %q", l, m)
				}
				if strings.ContainsFunc(m, unicode.IsControl) {
					t.Fatalf("Message(%s) = %q repeats a control character from the input", l, m)
				}
			}
			return
		}
		if len(products) == 0 {
			t.Fatalf("no products and no error")
		}
		keys := map[string]bool{}
		for _, p := range products {
			n, err := comptoir.NormalizeProduct(p)
			if err != nil {
				t.Fatalf("NormalizeProduct(%+v) = %v", p, err)
			}
			if n != p {
				t.Fatalf("NormalizeProduct(%q) = %q, want it unchanged", p, n)
			}
			k := comptoir.GTINKey(p.GTIN)
			if keys[k] {
				t.Fatalf("GTIN key %s imported twice", k)
			}
			keys[k] = true
		}
	})
}
