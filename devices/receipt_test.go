package devices

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// updateReceipts rewrites the receipt golden files instead of comparing with them:
// go test ./devices -run Receipt -update-receipts. The name is the receipts' own so that it
// cannot clash with another -update flag of the package's tests.
var updateReceipts = flag.Bool("update-receipts", false, "rewrite the receipt golden files in testdata")

// receiptShop has accents and an œ in its name and a typographic apostrophe in its address, all
// of which must come out of the printer as Windows-1252 bytes.
var receiptShop = comptoir.ShopSettings{
	Name:    "Épicerie Les Œillets",
	Address: "12 rue de l’Église, 75011 Paris",
	SIRET:   "73282932000074",
}

// paris is one hour ahead of UTC, as Paris is in November; a fixed zone keeps the tests
// independent of the machine's time zone database.
var paris = time.FixedZone("CET", 3600)

// at is 13:05 UTC, which the receipts must print as 14:05 in the shop's zone.
var at = time.Date(2026, 11, 24, 13, 5, 0, 0, time.UTC)

func gtin(body string) string { return body + strconv.Itoa(comptoir.GTINCheckDigit(body)) }

func product(body, name string, price comptoir.Money, vat comptoir.VATRate) comptoir.Product {
	return comptoir.Product{GTIN: gtin(body), Name: name, Price: price, VAT: vat}
}

var (
	cremeBrulee = product("301762042201", "Crème brûlée", 350, comptoir.VATReduced)
	pate        = product("301762042202", "Pâté en croûte", 690, comptoir.VATReduced)
	oeufs       = product("301762042203", "Œufs plein air", 320, comptoir.VATReduced)
	vinRouge    = product("301762042204", "Vin rouge Côtes-du-Rhône 75 cl", 1250, comptoir.VATNormal)
	sandwich    = product("301762042205", "Sandwich jambon-beurre à emporter, pain de campagne", 480, comptoir.VATIntermediate)
	leMonde     = product("301762042206", "Le Monde", 320, comptoir.VATSpecial)
)

// build records a draft as the store would: BuildSale, then a number, a register, a time.
func build(t *testing.T, d comptoir.SaleDraft, number uint64) comptoir.Sale {
	t.Helper()
	s, err := comptoir.BuildSale(d)
	if err != nil {
		t.Fatalf("BuildSale: %v", err)
	}
	s.Number, s.Register, s.At = number, "R1", at
	s.Signature = testSignature
	return s
}

// testSignature is an Ed25519 signature as the store keeps it beside a ticket (base64url without
// padding); its extract, the 3rd, 7th, 13th and 19th characters, is testExtract.
const (
	testSignature = "P-mhYeK42gzw_R8t7w5kZaajMliFNUaMb-mwRXIs809vrBTcXKZKoFDFGyyU3yyIlmXbJTWCDtLZKLQD_lpnDQ"
	testExtract   = "mK_5"
)

// fullSale has every VAT rate, accented labels, a label too long for 32 columns and cash with
// change.
func fullSale(t *testing.T) comptoir.Sale {
	return build(t, comptoir.SaleDraft{
		Cashier: "Élodie",
		Lines: []comptoir.Line{
			comptoir.LineFor(cremeBrulee, 2), comptoir.LineFor(pate, 1), comptoir.LineFor(oeufs, 1),
			comptoir.LineFor(vinRouge, 1), comptoir.LineFor(sandwich, 1), comptoir.LineFor(leMonde, 1),
		},
		Payments: []comptoir.Payment{{Method: comptoir.Cash, Amount: 5000}},
	}, 42)
}

func refundSale(t *testing.T) comptoir.Sale {
	return build(t, comptoir.SaleDraft{
		Cashier:  "Élodie",
		RefundOf: 41,
		Lines:    []comptoir.Line{comptoir.LineFor(cremeBrulee, -1)},
		Payments: []comptoir.Payment{{Method: comptoir.Cash, Amount: -350}},
	}, 43)
}

func trainingSale(t *testing.T) comptoir.Sale {
	return build(t, comptoir.SaleDraft{
		Cashier:  "Nouvelle recrue",
		Training: true,
		Lines:    []comptoir.Line{comptoir.LineFor(pate, 1)},
		Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: 690}},
	}, 44)
}

// memberCustomer is a member's pseudonymous ID: it must never be printed.
const memberCustomer = "cust-7f3a9b2e"

func memberSale(t *testing.T) comptoir.Sale {
	return build(t, comptoir.SaleDraft{
		Cashier:        "Élodie",
		CustomerID:     memberCustomer,
		PointsEarned:   12,
		PointsRedeemed: 200,
		Discount:       500,
		Lines:          []comptoir.Line{comptoir.LineFor(vinRouge, 1), comptoir.LineFor(pate, 2)},
		Payments:       []comptoir.Payment{{Method: comptoir.Card, Amount: 2000}, {Method: comptoir.Cash, Amount: 500}},
	}, 45)
}

// voucherSale is paid with a meal voucher, a cheque and cash with change, so that the receipt
// names each method in the customer's language.
func voucherSale(t *testing.T) comptoir.Sale {
	return build(t, comptoir.SaleDraft{
		Cashier: "Élodie",
		Lines:   []comptoir.Line{comptoir.LineFor(sandwich, 1), comptoir.LineFor(vinRouge, 1)},
		Payments: []comptoir.Payment{{Method: comptoir.MealVoucher, Amount: 900}, {Method: comptoir.Cheque, Amount: 500},
			{Method: comptoir.Cash, Amount: 1000}},
	}, 46)
}

// demoSale has a weighed item and an open-price department line, as a demo database's tickets
// may: the receipt prints them like any line.
func demoSale(t *testing.T) comptoir.Sale {
	cheese := comptoir.ScaleProduct(comptoir.Product{Name: "Comté 18 mois", Price: 1890, VAT: comptoir.VATReduced},
		comptoir.VariableMeasure{Code: "2812345005323", Base: "2812345000007", Grams: 532})
	dept, err := comptoir.OpenPriceProduct(comptoir.Department{Name: "Divers", VAT: comptoir.VATNormal}, 1, "12,50")
	if err != nil {
		t.Fatal(err)
	}
	return build(t, comptoir.SaleDraft{
		Cashier:  "Élodie",
		Lines:    []comptoir.Line{comptoir.LineFor(cheese, 1), comptoir.LineFor(dept, 1)},
		Payments: []comptoir.Payment{{Method: comptoir.Cash, Amount: 2500}},
	}, 47)
}

func ptr(n int64) *int64 { return &n }

type receiptCase struct {
	name string
	r    Receipt
}

// goldenSoftware is the software the golden receipts name, pinned so that a new version does
// not rewrite every golden file; TestReceiptSoftwareDefault checks the version a receipt prints
// by default.
const goldenSoftware = "Comptoir 0.9.0-dev"

// receiptCases are the golden receipts.
func receiptCases(t *testing.T) []receiptCase {
	cases := goldenCases(t)
	for i := range cases {
		cases[i].r.Software = goldenSoftware
	}
	return cases
}

func goldenCases(t *testing.T) []receiptCase {
	var cases []receiptCase
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, w := range []int{Width58mm, Width80mm} {
			cases = append(cases, receiptCase{fmt.Sprintf("sale-%s-%d", lang, w),
				Receipt{Sale: fullSale(t), Shop: receiptShop, Lang: lang, Width: w, Location: paris, OpenDrawer: true}})
		}
	}
	return append(cases,
		receiptCase{"refund-fr-32", Receipt{Sale: refundSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: 32, Location: paris, OpenDrawer: true}},
		receiptCase{"refund-en-48", Receipt{Sale: refundSale(t), Shop: receiptShop, Lang: comptoir.LangEN, Width: 48, Location: paris, OpenDrawer: true}},
		receiptCase{"training-fr-32", Receipt{Sale: trainingSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: 32, Location: paris}},
		receiptCase{"training-en-32", Receipt{Sale: trainingSale(t), Shop: receiptShop, Lang: comptoir.LangEN, Width: 32, Location: paris}},
		receiptCase{"training-fr-48", Receipt{Sale: trainingSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: 48, Location: paris}},
		receiptCase{"duplicate-fr-48", Receipt{Sale: fullSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: 48, Location: paris, Duplicate: true}},
		receiptCase{"duplicate-en-32", Receipt{Sale: fullSale(t), Shop: receiptShop, Lang: comptoir.LangEN, Width: 32, Location: paris, Duplicate: true, Copy: 2}},
		receiptCase{"member-fr-32", Receipt{Sale: memberSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: 32, Location: paris, PointsBalance: ptr(340), OpenDrawer: true}},
		receiptCase{"member-en-48", Receipt{Sale: memberSale(t), Shop: receiptShop, Lang: comptoir.LangEN, Width: 48, Location: paris, PointsBalance: ptr(340), OpenDrawer: true}},
		receiptCase{"vouchers-fr-32", Receipt{Sale: voucherSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: 32, Location: paris, OpenDrawer: true}},
		receiptCase{"vouchers-en-48", Receipt{Sale: voucherSale(t), Shop: receiptShop, Lang: comptoir.LangEN, Width: 48, Location: paris, OpenDrawer: true}},
		receiptCase{"demo-fr-32", Receipt{Sale: demoSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: 32, Location: paris, Demo: true}},
		receiptCase{"demo-en-48", Receipt{Sale: demoSale(t), Shop: receiptShop, Lang: comptoir.LangEN, Width: 48, Location: paris, Demo: true}},
	)
}

// render returns both renderings of a receipt, failing the test on an error.
func render(t *testing.T, r Receipt) (string, []byte) {
	t.Helper()
	text, err := r.Text()
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	raw, err := r.ESCPOS()
	if err != nil {
		t.Fatalf("ESCPOS: %v", err)
	}
	return text, raw
}

func TestReceiptGolden(t *testing.T) {
	for _, c := range receiptCases(t) {
		t.Run(c.name, func(t *testing.T) {
			text, raw := render(t, c.r)
			golden(t, "receipt-"+c.name+".txt", []byte(text))
			golden(t, "receipt-"+c.name+".escpos", raw)
			checkReceipt(t, c.r, text, raw)
		})
	}
}

// golden compares got with a file of testdata, or rewrites the file under -update-receipts.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateReceipts {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./devices -run Receipt -update-receipts to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	if strings.HasSuffix(name, ".txt") {
		t.Errorf("%s differs from byte %d:\n--- got\n%s\n--- want\n%s", path, i, got, want)
		return
	}
	t.Errorf("%s differs from byte %d: got % x..., want % x...", path, i, got[i:min(len(got), i+16)], want[i:min(len(want), i+16)])
}

// printed is a line as the printer prints it: its text decoded from Windows-1252 and the
// character size it was printed in.
type printed struct {
	text  string
	size  byte
	align byte
	bold  byte
}

// decodeWindows1252 is the inverse of appendWindows1252, written from the table so that a wrong
// entry shows up as a text that does not round-trip.
func decodeWindows1252(b []byte) string {
	inverse := map[byte]rune{}
	for r, c := range windows1252 {
		inverse[c] = r
	}
	var s strings.Builder
	for _, c := range b {
		if r, ok := inverse[c]; ok {
			s.WriteRune(r)
		} else {
			s.WriteRune(rune(c))
		}
	}
	return s.String()
}

// escpos is what parsing a receipt's bytes found.
type escpos struct {
	lines []printed
	kicks int
}

// parseESCPOS reads printer bytes as a printer would and refuses anything a receipt should not
// contain: an unknown command, a control character in the text, a code page chosen after text,
// text left unterminated, or anything after the cut.
func parseESCPOS(t *testing.T, b []byte) escpos {
	t.Helper()
	var out escpos
	var cur []byte
	var size, align, bold byte
	codePage := false
	if !bytes.HasPrefix(b, escInit) {
		t.Fatalf("bytes do not start with ESC @: % x", b[:min(len(b), 8)])
	}
	need := func(i, n int) []byte {
		if i+n > len(b) {
			t.Fatalf("command at %d truncated: % x", i, b[i:])
		}
		return b[i : i+n]
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == esc:
			cmd := need(i, 2)
			switch cmd[1] {
			case '@':
				i += 2
			case 't':
				if need(i, 3)[2] != 16 {
					t.Fatalf("code page %d selected, want 16 (WPC1252)", b[i+2])
				}
				if len(out.lines) > 0 || len(cur) > 0 {
					t.Fatal("code page selected after text")
				}
				codePage = true
				i += 3
			case 'a':
				align = need(i, 3)[2]
				i += 3
			case 'E':
				bold = need(i, 3)[2]
				i += 3
			case 'p':
				if !bytes.Equal(need(i, 5), escDrawerKick) {
					t.Fatalf("unexpected drawer command % x", b[i:i+5])
				}
				out.kicks++
				i += 5
			default:
				t.Fatalf("unexpected ESC %q at %d", cmd[1], i)
			}
		case c == gs:
			cmd := need(i, 3)
			switch cmd[1] {
			case '!':
				size = cmd[2]
				i += 3
			case 'V':
				if !bytes.Equal(need(i, 4), escCut) {
					t.Fatalf("unexpected cut command % x", b[i:i+4])
				}
				if i+4 != len(b) {
					t.Fatalf("%d bytes after the cut", len(b)-i-4)
				}
				if len(cur) > 0 {
					t.Fatalf("unterminated line %q before the cut", cur)
				}
				return out
			default:
				t.Fatalf("unexpected GS %q at %d", cmd[1], i)
			}
		case c == lf:
			if !codePage {
				t.Fatal("text printed before the code page was selected")
			}
			out.lines = append(out.lines, printed{decodeWindows1252(cur), size, align, bold})
			cur = nil
			i++
		case c < 0x20 || c == 0x7F:
			t.Fatalf("control byte %#x in the text at %d", c, i)
		default:
			cur = append(cur, c)
			i++
		}
	}
	t.Fatal("no cut at the end")
	return out
}

// checkReceipt checks what every receipt must satisfy, whatever its content.
func checkReceipt(t *testing.T, r Receipt, text string, raw []byte) {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Error("text does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > r.Width {
			t.Errorf("text line of %d runes in %d columns: %q", n, r.Width, l)
		}
		if strings.ContainsFunc(l, func(c rune) bool { return c < 0x20 || c == 0x7F || c >= 0x80 && c < 0xA0 }) {
			t.Errorf("control character in text line %q", l)
		}
	}
	p := parseESCPOS(t, raw)
	if !bytes.Contains(raw, escCodePage1252) {
		t.Error("no ESC t 16")
	}
	if !bytes.HasSuffix(raw, escCut) {
		t.Error("the bytes do not end with the cut")
	}
	want := 0
	if r.OpenDrawer {
		want = 1
	}
	if p.kicks != want {
		t.Errorf("%d drawer kicks, want %d", p.kicks, want)
	}
	// The printer prints what the text shows: the same lines with the same words, only the
	// spacing of double-width lines differs (they are laid out in half the columns).
	if len(p.lines) != len(lines) {
		t.Fatalf("%d printed lines, %d text lines", len(p.lines), len(lines))
	}
	for i, l := range p.lines {
		cols := r.Width
		if l.size&0xF0 != 0 {
			cols /= 2
		}
		if n := utf8.RuneCountInString(l.text); n > cols {
			t.Errorf("printed line of %d characters in %d columns (size %#x): %q", n, cols, l.size, l.text)
		}
		// Runes the code page lacks are printed as '?': the text line is compared as printed.
		printable := decodeWindows1252(appendWindows1252(nil, lines[i]))
		if got, want := strings.Join(strings.Fields(l.text), " "), strings.Join(strings.Fields(printable), " "); got != want {
			t.Errorf("printed line %d is %q, text line is %q", i, got, want)
		}
	}
}

// TestReceiptContent checks the golden receipts for what they must and must not say, so that a
// golden file refreshed without reading it still cannot hide a lost mention.
func TestReceiptContent(t *testing.T) {
	for _, c := range receiptCases(t) {
		t.Run(c.name, func(t *testing.T) {
			text, raw := render(t, c.r)
			flat := strings.Join(strings.Fields(text), " ")
			fr := c.r.Lang == comptoir.LangFR
			s := c.r.Sale
			has := func(want bool, sub string) {
				t.Helper()
				if strings.Contains(flat, sub) != want {
					t.Errorf("receipt contains %q: %v, want %v\n%s", sub, !want, want, text)
				}
			}
			has(true, "Épicerie Les Œillets")
			// A demo database's receipts say so; no other receipt does.
			has(c.r.Demo, "DÉMO")
			has(true, "12 rue de l’Église, 75011 Paris")
			has(true, "SIRET 732 829 320 00074")
			has(true, "R1")
			has(true, c.r.Sale.Cashier)
			// The time is printed in the shop's zone, not in UTC.
			if fr {
				has(true, "Ticket n° "+strconv.FormatUint(s.Number, 10)+" 24/11/2026 14:05")
				has(true, "TOTAL TTC "+s.Total.Format(comptoir.LangFR))
				has(true, "Merci de votre visite")
			} else {
				has(true, "Ticket no. "+strconv.FormatUint(s.Number, 10)+" 2026-11-24 14:05")
				has(true, "TOTAL "+s.Total.Format(comptoir.LangEN))
				has(true, "Thank you")
			}
			has(false, "13:05")
			// Every receipt names the software that recorded it and counts its items.
			has(true, goldenSoftware)
			has(true, map[bool]string{true: "Nombre d'articles : ", false: "Items: "}[fr]+strconv.FormatInt(s.ItemCount(), 10))
			for _, l := range s.Lines {
				code := VATCode(l.VAT)
				has(true, strconv.FormatInt(l.Qty, 10)+" × "+l.UnitPrice.Format(c.r.Lang)+" "+l.Total.Format(c.r.Lang)+" "+code)
				has(true, code+" "+l.VAT.Format(c.r.Lang))
			}
			for _, p := range s.Payments {
				has(true, p.Method.Format(c.r.Lang)+" "+p.Amount.Format(c.r.Lang))
			}
			has(s.Change != 0, map[bool]string{true: "Rendu ", false: "Change "}[fr]+s.Change.Format(c.r.Lang))
			has(s.Training, map[bool]string{true: "*** FORMATION — NE PAS REMETTRE ***", false: "*** TRAINING — NOT A RECEIPT ***"}[fr])
			has(s.Training, map[bool]string{true: "FORMATION", false: "TRAINING"}[fr])
			has(c.r.Duplicate, "DUPLICATA")
			has(s.IsRefund(), map[bool]string{true: "REMBOURSEMENT du ticket n° 41", false: "REFUND of ticket no. 41"}[fr])
			has(s.Discount != 0, map[bool]string{true: "Remise fidélité -5,00 €", false: "Loyalty discount -€5.00"}[fr])
			has(s.Discount != 0, map[bool]string{true: "Sous-total ", false: "Subtotal "}[fr]+(s.Total+s.Discount).Format(c.r.Lang))
			member := s.CustomerID != "" && c.r.PointsBalance != nil
			has(member, map[bool]string{true: "Points gagnés 12", false: "Points earned 12"}[fr])
			has(member, map[bool]string{true: "Points utilisés 200", false: "Points redeemed 200"}[fr])
			has(member, map[bool]string{true: "Solde de points 340", false: "Points balance 340"}[fr])
			// The member's ID never goes on paper, in either rendering.
			has(false, memberCustomer)
			if bytes.Contains(raw, []byte(memberCustomer)) {
				t.Error("the printer bytes carry the member's ID")
			}

			lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
			if s.Training {
				// The mark comes before the shop's name and after the closing line.
				if !strings.HasPrefix(strings.TrimSpace(lines[0]), "*** ") || !strings.HasSuffix(strings.TrimSpace(lines[len(lines)-1]), " ***") {
					t.Errorf("the training mark is not at the top and the bottom:\n%s", text)
				}
				if strings.Count(flat, "***") != 4 {
					t.Errorf("the training mark is not printed twice:\n%s", text)
				}
			}
			// French accents and the euro sign are Windows-1252 bytes; no UTF-8 sequence leaks.
			if !bytes.Contains(raw, []byte{0x80}) && fr {
				t.Error("no € (0x80) in the printer bytes")
			}
			if !bytes.Contains(raw, []byte{0xC9}) || !bytes.Contains(raw, []byte{0x8C}) {
				t.Error("É (0xC9) or Œ (0x8C) of the shop's name is not in the printer bytes")
			}
			for _, b := range []byte{0xC3, 0xC5, 0xE2} {
				// 0xE2 is â in Windows-1252, which "Pâté" has, so only the UTF-8 sequences that
				// start with it (E2 82 AC for €, E2 80 94 for —, E2 80 99 for ’) are checked.
				if b == 0xE2 {
					for _, seq := range [][]byte{{0xE2, 0x82, 0xAC}, {0xE2, 0x80}} {
						if bytes.Contains(raw, seq) {
							t.Errorf("UTF-8 sequence % x leaked into the printer bytes", seq)
						}
					}
					continue
				}
				if bytes.IndexByte(raw, b) >= 0 {
					t.Errorf("UTF-8 lead byte %#x leaked into the printer bytes", b)
				}
			}
		})
	}
}

// TestReceiptAccentBytes checks the bytes of a label with accents and œ, so that an encoder that
// printed Latin-1 for everything (œ has no Latin-1 byte) or UTF-8 fails here.
func TestReceiptAccentBytes(t *testing.T) {
	r := Receipt{Sale: fullSale(t), Shop: receiptShop, Width: 48, Location: paris}
	_, raw := render(t, r)
	for _, want := range [][]byte{
		[]byte("Cr\xe8me br\xfbl\xe9e"),
		[]byte("P\xe2t\xe9 en cro\xfbte"),
		[]byte("\x8cufs plein air"),
		[]byte("rue de l\x92\xc9glise"),
		[]byte("2 \xd7 3,50 \x80"),
	} {
		if !bytes.Contains(raw, want) {
			t.Errorf("printer bytes lack % x (%q)", want, want)
		}
	}
	for _, want := range [][]byte{{esc, 'E', 1}, {gs, '!', sizeDoubleWide}, {esc, 'a', 1}} {
		if !bytes.Contains(raw, want) {
			t.Errorf("printer bytes lack the command % x", want)
		}
	}
}

// TestReceiptStyles checks which rows are bold, large and centred on paper.
func TestReceiptStyles(t *testing.T) {
	for _, w := range []int{Width58mm, Width80mm} {
		r := Receipt{Sale: fullSale(t), Shop: receiptShop, Lang: comptoir.LangFR, Width: w, Location: paris}
		_, raw := render(t, r)
		p := parseESCPOS(t, raw)
		find := func(prefix string) printed {
			t.Helper()
			for _, l := range p.lines {
				if strings.HasPrefix(strings.TrimSpace(l.text), prefix) {
					return l
				}
			}
			t.Fatalf("no printed line starts with %q", prefix)
			return printed{}
		}
		name := find("Épicerie")
		if name.bold != 1 || name.align != alignCentre || name.size == sizeNormal {
			t.Errorf("%d columns: shop name printed bold=%d align=%d size=%#x", w, name.bold, name.align, name.size)
		}
		// "Épicerie Les Œillets" has 20 characters: double width on 80 mm (24 columns), double
		// height only on 58 mm (16 columns), so that the name is not broken.
		if want := map[int]byte{32: sizeDoubleHigh, 48: sizeDoubleWide}[w]; name.size != want {
			t.Errorf("%d columns: shop name size %#x, want %#x", w, name.size, want)
		}
		total := find("TOTAL TTC")
		if total.bold != 1 || total.size == sizeNormal || total.align != alignLeft {
			t.Errorf("%d columns: total printed bold=%d align=%d size=%#x", w, total.bold, total.align, total.size)
		}
		line := find("2 × 3,50 €")
		if line.bold != 0 || line.size != sizeNormal || line.align != alignLeft {
			t.Errorf("%d columns: item line printed bold=%d align=%d size=%#x", w, line.bold, line.align, line.size)
		}
	}
}

// TestReceiptDrawer checks that the drawer kick is sent only when asked, and that DrawerKick
// gives it alone.
func TestReceiptDrawer(t *testing.T) {
	for _, open := range []bool{false, true} {
		r := Receipt{Sale: fullSale(t), Shop: receiptShop, Width: 32, Location: paris, OpenDrawer: open}
		text, raw := render(t, r)
		if got := bytes.Count(raw, escDrawerKick); got != map[bool]int{false: 0, true: 1}[open] {
			t.Errorf("OpenDrawer %v: %d kicks", open, got)
		}
		if p := parseESCPOS(t, raw); p.kicks != bytes.Count(raw, escDrawerKick) {
			t.Errorf("OpenDrawer %v: parser saw %d kicks", open, p.kicks)
		}
		if open {
			if closed, _ := (Receipt{Sale: fullSale(t), Shop: receiptShop, Width: 32, Location: paris}).Text(); closed != text {
				t.Error("OpenDrawer changed the text")
			}
		}
	}
	if k := DrawerKick(); !bytes.Equal(k, []byte{0x1B, 'p', 0, 25, 250}) {
		t.Errorf("DrawerKick = % x", k)
	}
	// The caller may append to what it got without altering the next receipt.
	k := DrawerKick()
	k[4] = 0
	if !bytes.Equal(DrawerKick(), []byte{0x1B, 'p', 0, 25, 250}) {
		t.Error("DrawerKick returned the package's own slice")
	}
}

func TestReceiptWidthRefused(t *testing.T) {
	for _, w := range []int{0, -32, 31, 33, 40, 47, 64, 96} {
		r := Receipt{Sale: fullSale(t), Shop: receiptShop, Width: w, Location: paris}
		text, err := r.Text()
		if !errors.Is(err, comptoir.E(comptoir.CodeInvalidSetting)) || text != "" {
			t.Errorf("width %d: Text = %q, %v; want an invalid-setting error", w, text, err)
		}
		raw, err := r.ESCPOS()
		if !errors.Is(err, comptoir.E(comptoir.CodeInvalidSetting)) || raw != nil {
			t.Errorf("width %d: ESCPOS = % x, %v; want an invalid-setting error", w, raw, err)
		}
		var e *comptoir.Error
		if errors.As(err, &e) && !strings.Contains(e.Message(comptoir.LangFR), "« "+strconv.Itoa(w)+" »") {
			t.Errorf("width %d: message %q does not name the width", w, e.Message(comptoir.LangFR))
		}
	}
}

func TestReceiptLangRefused(t *testing.T) {
	r := Receipt{Sale: fullSale(t), Shop: receiptShop, Width: 32, Lang: "de", Location: paris}
	if _, err := r.Text(); !errors.Is(err, comptoir.ErrUnknownLang) {
		t.Errorf("Text in German: %v, want ErrUnknownLang", err)
	}
	if _, err := r.ESCPOS(); !errors.Is(err, comptoir.ErrUnknownLang) {
		t.Errorf("ESCPOS in German: %v, want ErrUnknownLang", err)
	}
	// No language is French, the default.
	r.Lang = ""
	text, err := r.Text()
	if err != nil || !strings.Contains(text, "Merci de votre visite") {
		t.Errorf("Text without a language: %v\n%s", err, text)
	}
}

// TestReceiptMemberWithoutBalance checks that points are printed only with a member and a
// balance: a balance without a member, or a member without a balance, prints no points.
func TestReceiptMemberWithoutBalance(t *testing.T) {
	anonymous := fullSale(t)
	for _, r := range []Receipt{
		{Sale: memberSale(t), Shop: receiptShop, Width: 32, Location: paris},
		{Sale: anonymous, Shop: receiptShop, Width: 32, Location: paris, PointsBalance: ptr(340)},
	} {
		text, _ := render(t, r)
		if strings.Contains(text, "Points") || strings.Contains(text, "340") {
			t.Errorf("points printed without a member and a balance:\n%s", text)
		}
	}
}

// TestReceiptExtremes renders a ticket at the limits, with text from outside that tries to
// reach the printer, and checks that every line still fits and no command leaks.
func TestReceiptExtremes(t *testing.T) {
	long := strings.Repeat("Supercalifragilistique ", 4)
	huge := comptoir.Line{GTIN: gtin("301762042207"), Name: "\x1b[2J\x1b]0;pwned\x07Pâté\x1b@ " + long, Qty: comptoir.MaxQty,
		UnitPrice: comptoir.MaxAmount, VAT: comptoir.VATNormal, Total: comptoir.MaxAmount * comptoir.MaxQty}
	refunded := comptoir.Line{GTIN: gtin("301762042208"), Name: "Ĳssel → 😀", Qty: -comptoir.MaxQty,
		UnitPrice: comptoir.MaxAmount, VAT: comptoir.VATReduced, Total: -comptoir.MaxAmount * comptoir.MaxQty}
	// An old ticket may carry a rate that is no longer one of the French rates: it has no code
	// letter, and its rate is still printed.
	old := comptoir.Line{GTIN: gtin("301762042209"), Name: "Ancien taux", Qty: 1, UnitPrice: 100, VAT: 850, Total: 100}
	lines := []comptoir.Line{huge, refunded, old}
	total := huge.Total + refunded.Total + old.Total
	s := comptoir.Sale{
		Register: "CAISSE-PRINCIPALE-DU-REZ-DE-CHAUSSÉE\x1b[31m", Number: ^uint64(0), At: at,
		Cashier: "Marie-Christine de La Tour d’Auvergne-Lauraguais\a", CustomerID: memberCustomer,
		Lines: lines, VAT: comptoir.VATBreakdown(lines), Total: total, Discount: 0,
		Payments:     []comptoir.Payment{{Method: comptoir.Cash, Amount: total + comptoir.MaxAmount}, {Method: "ticket\x1b@resto", Amount: 1}},
		Change:       comptoir.MaxAmount + 1,
		PointsEarned: -9_999_999_999, Training: true, RefundOf: ^uint64(0) - 1,
	}
	shop := comptoir.ShopSettings{Name: strings.Repeat("Œ", 60), Address: long + long, SIRET: "\x1b[5m73282932000074"}
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, w := range []int{Width58mm, Width80mm} {
			r := Receipt{Sale: s, Shop: shop, Lang: lang, Width: w, Location: paris, Duplicate: true,
				PointsBalance: ptr(-9_223_372_036_854_775_808), OpenDrawer: true}
			text, raw := render(t, r)
			checkReceipt(t, r, text, raw)
			if strings.ContainsAny(text, "\x1b\a") || strings.Contains(text, "pwned") || strings.Contains(text, "[2J") {
				t.Errorf("an escape sequence reached the text:\n%s", text)
			}
			if !strings.Contains(text, "…") {
				t.Errorf("the long label was not cut with an ellipsis:\n%s", text)
			}
			// Every amount is printed whole, even the largest.
			flat := strings.Join(strings.Fields(text), " ")
			for _, m := range []comptoir.Money{huge.Total, refunded.Total, huge.UnitPrice, s.Change} {
				if !strings.Contains(flat, m.Format(lang)) {
					t.Errorf("%s in %d columns: %s missing:\n%s", lang, w, m.Format(lang), text)
				}
			}
			if !strings.Contains(flat, "8,5 %") && !strings.Contains(flat, "8.5%") {
				t.Errorf("the old rate is missing from the breakdown:\n%s", text)
			}
			if !strings.Contains(flat, strconv.FormatUint(^uint64(0), 10)) {
				t.Errorf("the ticket number is missing:\n%s", text)
			}
		}
	}
}

// TestReceiptVATTableFallback checks the three layouts of the breakdown: with the euro sign when
// it fits, without it on narrow paper, and one rate per block when amounts are too large for any
// table.
func TestReceiptVATTableFallback(t *testing.T) {
	w := words[comptoir.LangFR]
	small := []comptoir.VATLine{comptoir.VATFromTTC(1250, comptoir.VATNormal), comptoir.VATFromTTC(700, comptoir.VATReduced)}
	medium := []comptoir.VATLine{comptoir.VATFromTTC(125_000, comptoir.VATNormal), comptoir.VATFromTTC(70_000, comptoir.VATReduced)}
	large := []comptoir.VATLine{comptoir.VATFromTTC(99_999_000_000, comptoir.VATNormal)}
	for _, c := range []struct {
		vat   []comptoir.VATLine
		total comptoir.Money
		cols  int
		want  []string
	}{
		{small, 1950, 48, []string{
			"TVA                            HT    TVA     TTC",
			"A 20 %                    10,42 € 2,08 € 12,50 €",
			"C 5,5 %                    6,64 € 0,36 €  7,00 €",
			"Total                     17,06 € 2,44 € 19,50 €",
		}},
		// On 58 mm paper the euro signs fit with small amounts...
		{small, 1950, 32, []string{
			"TVA            HT    TVA     TTC",
			"A 20 %    10,42 € 2,08 € 12,50 €",
			"C 5,5 %    6,64 € 0,36 €  7,00 €",
			"Total     17,06 € 2,44 € 19,50 €",
		}},
		// ...but not with larger ones, which lose them.
		{medium, 195_000, 32, []string{
			"TVA €         HT    TVA      TTC",
			"A 20 %  1 041,67 208,33 1 250,00",
			"C 5,5 %   663,51  36,49   700,00",
			"Total   1 705,18 244,82 1 950,00",
		}},
		{large, 99_999_000_000, 32, []string{
			"A 20 %",
			"  HT            833 325 000,00 €",
			"  TVA           166 665 000,00 €",
			"  TTC           999 990 000,00 €",
		}},
	} {
		got := vatTable(c.vat, c.total, comptoir.LangFR, w)(c.cols)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%d columns:\n%s\nwant\n%s", c.cols, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

func TestReceiptVATCode(t *testing.T) {
	for rate, want := range map[comptoir.VATRate]string{
		comptoir.VATNormal: "A", comptoir.VATIntermediate: "B", comptoir.VATReduced: "C", comptoir.VATSpecial: "D",
		850: "", 0: "", 2100: "",
	} {
		if got := VATCode(rate); got != want {
			t.Errorf("VATCode(%v) = %q, want %q", rate, got, want)
		}
	}
}

func TestReceiptWindows1252(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []byte
	}{
		{"abc XYZ 0-9 ~", []byte("abc XYZ 0-9 ~")},
		{"éèêëàâçôûùîïÉÈÀÇ", []byte{0xE9, 0xE8, 0xEA, 0xEB, 0xE0, 0xE2, 0xE7, 0xF4, 0xFB, 0xF9, 0xEE, 0xEF, 0xC9, 0xC8, 0xC0, 0xC7}},
		{"€’«»œŒ…–—", []byte{0x80, 0x92, 0xAB, 0xBB, 0x9C, 0x8C, 0x85, 0x96, 0x97}},
		{"\u00a0×°ÿ", []byte{0xA0, 0xD7, 0xB0, 0xFF}},
		{"Ÿ‘“”•™", []byte{0x9F, 0x91, 0x93, 0x94, 0x95, 0x99}},
		// Runes the code page lacks become one '?' each, so alignment holds.
		{"→😀Ĳ\u202f", []byte("????")},
		// Control characters, including the C1 range that Windows-1252 reuses, never pass.
		{"a\x1b@b\x1d\nc\x7f\u0080\u0092", []byte("a?@b??c???")},
		// Invalid UTF-8 becomes '?' too.
		{"x\xffy\xc3", []byte("x?y?")},
	} {
		if got := appendWindows1252(nil, c.in); !bytes.Equal(got, c.want) {
			t.Errorf("appendWindows1252(%q) = % x, want % x", c.in, got, c.want)
		}
	}
	// Every rune of the table round-trips, and no two runes share a byte.
	seen := map[byte]rune{}
	for r, b := range windows1252 {
		if b < 0x80 || b > 0x9F {
			t.Errorf("%q maps to %#x, outside 0x80-0x9F", r, b)
		}
		if o, ok := seen[b]; ok {
			t.Errorf("%q and %q both map to %#x", r, o, b)
		}
		seen[b] = r
		if got := decodeWindows1252(appendWindows1252(nil, string(r))); got != string(r) {
			t.Errorf("%q round-trips to %q", r, got)
		}
	}
	if len(windows1252) != 27 {
		t.Errorf("%d runes in the 0x80-0x9F table, want the 27 Windows-1252 defines", len(windows1252))
	}
}

// TestReceiptWrap checks the layout helpers at their edges.
func TestReceiptWrap(t *testing.T) {
	if got := wrap("abcdefghij klm", 4); strings.Join(got, "|") != "abcd|efgh|ij|klm" {
		t.Errorf("wrap split a long word as %q", got)
	}
	if got := wrap("", 4); len(got) != 1 || got[0] != "" {
		t.Errorf("wrap of nothing = %q", got)
	}
	if got := phrases("*** FORMATION —", "NE PAS REMETTRE ***").layout(32); strings.Join(got, "|") != "*** FORMATION —|NE PAS REMETTRE ***" {
		t.Errorf("the training mark breaks as %q", got)
	}
	if got := phrases("*** TRAINING —", "NOT A RECEIPT ***").layout(32); strings.Join(got, "|") != "*** TRAINING — NOT A RECEIPT ***" {
		t.Errorf("the English training mark breaks as %q", got)
	}
	if got := pair("  12 × 3,50 €", "42,00 € A").layout(20); strings.Join(got, "|") != "  12 × 3,50 €|           42,00 € A" {
		t.Errorf("pair that does not fit = %q", got)
	}
	if got := cut("Crème brûlée caramélisée").layout(12); got[0] != "Crème brûlé…" {
		t.Errorf("cut = %q", got)
	}
	if got := cut("Tarte aux pommes").layout(7); got[0] != "Tarte…" {
		t.Errorf("cut before a space = %q", got)
	}
	if got := centre("abc", 8); got != "  abc" {
		t.Errorf("centre = %q", got)
	}
	if got := groupSIRET("73282932000074"); got != "732 829 320 00074" {
		t.Errorf("groupSIRET = %q", got)
	}
	if got := groupSIRET("7328293200007X"); got != "7328293200007X" {
		t.Errorf("groupSIRET of a non-number = %q", got)
	}
}

// TestReceiptMemberRefundPoints checks that a refund's points read as what they are: earned
// points taken back, redeemed points given back, as positive counts.
func TestReceiptMemberRefundPoints(t *testing.T) {
	p := comptoir.Product{GTIN: "4006381333931", Name: "Vin rouge", Price: 1200, VAT: comptoir.VATNormal}
	sale, err := comptoir.BuildSale(comptoir.SaleDraft{RefundOf: 4, Lines: []comptoir.Line{comptoir.LineFor(p, -1)},
		Discount: -500, Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: -700}}})
	if err != nil {
		t.Fatal(err)
	}
	sale.Number, sale.Register, sale.CustomerID = 5, "R1", "M0123456789abcdef"
	sale.PointsEarned, sale.PointsRedeemed = -7, -100
	balance := int64(122)
	for lang, want := range map[comptoir.Lang][]string{
		comptoir.LangFR: {"Points repris", "Points rendus"},
		comptoir.LangEN: {"Points taken back", "Points given back"},
	} {
		text, err := Receipt{Sale: sale, Lang: lang, Width: 48, PointsBalance: &balance}.Text()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s refund receipt lacks %q:\n%s", lang, w, text)
			}
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "Points") && strings.Contains(line, "-") {
				t.Errorf("%s refund receipt shows negative points: %q", lang, line)
			}
		}
	}
}

// TestReceiptShopMentionsAndCopies checks the shop's legal mentions and the number of a
// duplicate, and that long mentions still fit 58 mm paper.
func TestReceiptShopMentionsAndCopies(t *testing.T) {
	p := comptoir.Product{GTIN: "4006381333931", Name: "Vin rouge", Price: 1200, VAT: comptoir.VATNormal}
	sale, err := comptoir.BuildSale(comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, 1)},
		Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: 1200}}})
	if err != nil {
		t.Fatal(err)
	}
	sale.Number, sale.Register = 12, "R1"
	shop := comptoir.ShopSettings{Name: "Épicerie du Coin", SIRET: "12345678900007", VATNumber: "FR32123456789",
		Legal: "SAS au capital de 10 000 € — RCS Lyon 123 456 789 — 12 rue des Lilas, 69001 Lyon"}
	for _, width := range []int{32, 48} {
		text, err := Receipt{Sale: sale, Shop: shop, Width: width, Duplicate: true, Copy: 3}.Text()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"DUPLICATA n° 3", "TVA intracom. FR32123456789", "RCS Lyon"} {
			if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
				t.Errorf("width %d: no %q in\n%s", width, want, text)
			}
		}
		for _, line := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: line of %d runes: %q", width, n, line)
			}
		}
	}
	text, _ := Receipt{Sale: sale, Shop: shop, Width: 48, Duplicate: true}.Text()
	if !strings.Contains(text, "DUPLICATA") || strings.Contains(text, "DUPLICATA n°") {
		t.Errorf("a duplicate without a copy number:\n%s", text)
	}
}

// TestReceiptItemCount checks the line that counts the items, as a whole line of the receipt, on
// a sale with quantities and a weighed item, on its refund and on a duplicate, in both languages
// and at both widths: a count that summed the lines, the grams or the signed quantities fails.
func TestReceiptItemCount(t *testing.T) {
	cheese := comptoir.ScaleProduct(comptoir.Product{Name: "Comté 18 mois", Price: 1890, VAT: comptoir.VATReduced},
		comptoir.VariableMeasure{Code: "2812345005323", Base: "2812345000007", Grams: 532})
	sale := build(t, comptoir.SaleDraft{
		Cashier:  "Élodie",
		Lines:    []comptoir.Line{comptoir.LineFor(cremeBrulee, 3), comptoir.LineFor(cheese, 1), comptoir.LineFor(leMonde, 2)},
		Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: 3*350 + 1005 + 2*320}},
	}, 50)
	refund := build(t, comptoir.SaleDraft{
		Cashier:  "Élodie",
		RefundOf: 50,
		Lines:    []comptoir.Line{comptoir.LineFor(cremeBrulee, -2), comptoir.LineFor(cheese, -1)},
		Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: -(2*350 + 1005)}},
	}, 51)
	words := map[comptoir.Lang]string{comptoir.LangFR: "Nombre d'articles : ", comptoir.LangEN: "Items: "}
	for _, tc := range []struct {
		name      string
		sale      comptoir.Sale
		duplicate bool
		want      string
	}{
		{"sale", sale, false, "6"},
		{"duplicate", sale, true, "6"},
		{"refund", refund, false, "3"},
	} {
		for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
			for _, width := range []int{Width58mm, Width80mm} {
				t.Run(fmt.Sprintf("%s-%s-%d", tc.name, lang, width), func(t *testing.T) {
					r := Receipt{Sale: tc.sale, Shop: receiptShop, Lang: lang, Width: width, Location: paris, Duplicate: tc.duplicate}
					text, raw := render(t, r)
					checkReceipt(t, r, text, raw)
					want := words[lang] + tc.want
					count := 0
					for _, l := range strings.Split(text, "\n") {
						if strings.HasPrefix(l, words[lang]) {
							count++
							if l != want {
								t.Errorf("item count line %q, want %q", l, want)
							}
						}
					}
					if count != 1 {
						t.Errorf("%d item count lines, want 1:\n%s", count, text)
					}
				})
			}
		}
	}
}

// TestReceiptSoftwareDefault checks that a receipt built without naming the software (as the
// frontends build them) prints the running program's name and version, centred on a line of its
// own at the foot, and that a name given is printed cleaned of control characters.
func TestReceiptSoftwareDefault(t *testing.T) {
	for _, width := range []int{Width58mm, Width80mm} {
		r := Receipt{Sale: fullSale(t), Shop: receiptShop, Width: width, Location: paris}
		text, _ := render(t, r)
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if got, want := strings.TrimSpace(lines[len(lines)-1]), comptoir.Software(); got != want {
			t.Errorf("width %d: last line %q, want %q", width, got, want)
		}
		if got, want := lines[len(lines)-1], centre(comptoir.Software(), width); got != want {
			t.Errorf("width %d: last line %q is not centred (%q)", width, got, want)
		}
	}
	r := Receipt{Sale: fullSale(t), Shop: receiptShop, Width: Width58mm, Location: paris, Software: "Comptoir\x1b@ 2.0"}
	text, raw := render(t, r)
	if !strings.Contains(text, "2.0") || strings.ContainsRune(text, 0x1b) || bytes.Contains(raw, []byte("\x1b@ 2.0")) {
		t.Errorf("the software's name is not cleaned:\n%s", text)
	}
}

// TestReceiptSignature checks the four characters of the signature on every kind of receipt, next
// to the ticket number, and that a ticket made before the register had a key prints no line.
func TestReceiptSignature(t *testing.T) {
	cases := []struct {
		name string
		r    Receipt
		want string
	}{
		{"sale fr", Receipt{Sale: fullSale(t), Lang: comptoir.LangFR, Width: Width58mm}, "Signature : " + testExtract},
		{"sale en", Receipt{Sale: fullSale(t), Lang: comptoir.LangEN, Width: Width80mm}, "Signature: " + testExtract},
		{"refund", Receipt{Sale: refundSale(t), Lang: comptoir.LangFR, Width: Width80mm}, "Signature : " + testExtract},
		{"duplicate", Receipt{Sale: fullSale(t), Lang: comptoir.LangFR, Width: Width58mm, Duplicate: true, Copy: 3}, "Signature : " + testExtract},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, raw := render(t, c.r)
			lines := strings.Split(text, "\n")
			at := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, c.want) })
			if at < 0 {
				t.Fatalf("no line %q:\n%s", c.want, text)
			}
			// The extract stands under the ticket's number and the register's line.
			if at < 2 || !strings.Contains(lines[at-1], "R1") || !strings.Contains(lines[at-2], strconv.FormatUint(c.r.Sale.Number, 10)) {
				t.Errorf("the signature is not under the ticket's number and register:\n%s", text)
			}
			if !bytes.Contains(raw, []byte(testExtract)) {
				t.Errorf("the printer's bytes lack the extract %q", testExtract)
			}
			if c.r.Duplicate && !strings.Contains(text, "DUPLICATA n° 3") {
				t.Errorf("the duplicate lost its mention:\n%s", text)
			}
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		s := fullSale(t)
		s.Signature = ""
		text, _ := render(t, Receipt{Sale: s, Lang: comptoir.LangFR, Width: Width80mm})
		if strings.Contains(text, "Signature") {
			t.Errorf("a ticket without a signature prints a signature line:\n%s", text)
		}
	})
}
