package comptoir_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestErrorIs(t *testing.T) {
	underpaid := comptoir.E(comptoir.CodeUnderpaid, comptoir.Money(250), comptoir.Money(1000), comptoir.Money(750))
	inner := comptoir.E(comptoir.CodeGTINCheckDigit, "3017620422004", 3)
	row := comptoir.Wrap(comptoir.CodeCSVLine, inner, 3)
	wrapped := fmt.Errorf("import prices.csv: %w", row)
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"same code, other values", underpaid, comptoir.ErrUnderpaid, true},
		{"other code", underpaid, comptoir.ErrOverpaidNonCash, false},
		{"wrapper", row, comptoir.ErrCSVLine, true},
		{"cause through Wrap", row, comptoir.ErrGTINCheckDigit, true},
		{"not the cause", row, comptoir.ErrInvalidAmount, false},
		{"through fmt.Errorf", wrapped, comptoir.ErrGTINCheckDigit, true},
		{"through fmt.Errorf, wrapper", wrapped, comptoir.ErrCSVLine, true},
		{"plain error with the code's text", errors.New("underpaid"), comptoir.ErrUnderpaid, false},
		{"plain target", underpaid, errors.New("underpaid"), false},
		{"sentinel is itself", comptoir.ErrEmptyTicket, comptoir.ErrEmptyTicket, true},
		{"plain cause", comptoir.Wrap(comptoir.CodeCSVLine, errPlain, 2), errPlain, true},
	}
	for _, tt := range tests {
		if got, want := errors.Is(tt.err, tt.target), tt.want; got != want {
			t.Errorf("%s: errors.Is(%v, %v) = %v, want %v", tt.name, tt.err, tt.target, got, want)
		}
	}
	var e *comptoir.Error
	if !errors.As(wrapped, &e) {
		t.Fatalf("errors.As(%v, *Error) = false", wrapped)
	}
	if got, want := e.Code, comptoir.CodeCSVLine; got != want {
		t.Errorf("errors.As found code %q, want the outer %q", got, want)
	}
	if got, want := errors.Unwrap(row), error(inner); got != want {
		t.Errorf("Unwrap(row) = %v, want %v", got, want)
	}
	if errors.Unwrap(underpaid) != nil {
		t.Errorf("Unwrap(E(...)) = %v, want nil", errors.Unwrap(underpaid))
	}
}

var errPlain = errors.New("disk full")

func TestMessage(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		fr, en string
	}{
		{"amounts formatted per language",
			comptoir.E(comptoir.CodeUnderpaid, comptoir.Money(250), comptoir.Money(1000), comptoir.Money(750)),
			"paiement insuffisant : il manque 2,50 € (total 10,00 €, reçu 7,50 €)",
			"underpaid: €2.50 still due (total €10.00, received €7.50)"},
		{"no values",
			comptoir.E(comptoir.CodeEmptyTicket),
			"le ticket est vide : scannez au moins un article",
			"the ticket is empty: scan at least one item"},
		{"wrapped *Error",
			comptoir.Wrap(comptoir.CodeCSVLine, comptoir.E(comptoir.CodeInvalidAmount, "x"), 3),
			"ligne 3 : montant illisible « x » : écrivez par exemple 12,50",
			`line 3: unreadable amount "x": write it like 12.50`},
		{"wrapped twice",
			fmt.Errorf("import: %w", comptoir.Wrap(comptoir.CodeCSVLine, comptoir.E(comptoir.CodeCSVColumns, 4, 3), 12)),
			"ligne 12 : il faut 4 colonnes (gtin, libellé, prix, tva), il y en a 3 : un prix « 3,20 » non entre guillemets dans un fichier à virgules ?",
			"line 12: 4 columns are needed (gtin, name, price, vat), found 3: an unquoted \"3,20\" price in a comma-separated file?"},
		{"wrapped plain error",
			comptoir.Wrap(comptoir.CodeCSVLine, errPlain, 2),
			"ligne 2 : disk full",
			"line 2: disk full"},
		{"plain error",
			errPlain,
			"erreur inattendue : disk full",
			"unexpected error: disk full"},
		{"record reference formatted per language",
			comptoir.E(comptoir.CodeGrandTotalMismatch, comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: 3}, comptoir.Money(123450)),
			"clôture 3 : le grand total perpétuel est faux (attendu 1 234,50 €)",
			"closing 3: the perpetual grand total is wrong (expected €1,234.50)"},
		{"unknown code",
			&comptoir.Error{Code: "weird"},
			"weird", "weird"},
		{"nil", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := comptoir.Message(tt.err, fr), tt.fr; got != want {
				t.Errorf("Message(fr) = %q, want %q", got, want)
			}
			if got, want := comptoir.Message(tt.err, en), tt.en; got != want {
				t.Errorf("Message(en) = %q, want %q", got, want)
			}
			var e *comptoir.Error
			if errors.As(tt.err, &e) {
				if got, want := e.Error(), e.Message(en); got != want {
					t.Errorf("Error() = %q, want the English message %q", got, want)
				}
				if got, want := e.Message(fr), comptoir.Message(e, fr); got != want {
					t.Errorf("(*Error).Message(fr) = %q, want %q", got, want)
				}
			}
		})
	}
}

// codeConsts reads errors.go and returns every Code constant by name.
func codeConsts(t *testing.T) map[string]comptoir.Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]comptoir.Code{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for i, name := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", name.Name)
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes[name.Name] = comptoir.Code(s)
			}
		}
	}
	if len(codes) < 40 {
		t.Fatalf("found %d Code constants in errors.go, expected many more", len(codes))
	}
	return codes
}

var missingVerb = regexp.MustCompile(`%!([a-zA-Z])\(MISSING\)`)

// verbs lists the verbs of a code's message template in a language, as fmt reports them when the
// template is given no values.
func verbs(code comptoir.Code, l comptoir.Lang) []string {
	var vs []string
	for _, m := range missingVerb.FindAllStringSubmatch((&comptoir.Error{Code: code}).Message(l), -1) {
		vs = append(vs, m[1])
	}
	return vs
}

// verbClass groups the verbs that accept the same values.
func verbClass(v string) string {
	switch v {
	case "s", "q", "v":
		return "text"
	case "d":
		return "integer"
	}
	return v
}

// TestMessagesComplete checks every Code constant: it has a sentence in both languages, and both
// sentences take the same values in the same order.
func TestMessagesComplete(t *testing.T) {
	for name, code := range codeConsts(t) {
		frVerbs, enVerbs := verbs(code, fr), verbs(code, en)
		bare := &comptoir.Error{Code: code}
		if bare.Message(fr) == string(code) || bare.Message(en) == string(code) {
			t.Errorf("%s has no message in fr or en", name)
			continue
		}
		if bare.Message(fr) == bare.Message(en) {
			t.Errorf("%s: the French message is the English one: %q", name, bare.Message(fr))
		}
		if len(frVerbs) != len(enVerbs) {
			t.Errorf("%s: the French message takes %d values, the English one %d", name, len(frVerbs), len(enVerbs))
			continue
		}
		args := make([]any, len(frVerbs))
		for i := range frVerbs {
			if verbClass(frVerbs[i]) != verbClass(enVerbs[i]) {
				t.Errorf("%s: value %d is %%%s in French and %%%s in English", name, i+1, frVerbs[i], enVerbs[i])
			}
			if verbClass(frVerbs[i]) == "integer" {
				args[i] = 7000 + i
			} else {
				args[i] = fmt.Sprintf("val%d", i)
			}
		}
		e := &comptoir.Error{Code: code, Args: args}
		for _, l := range langs {
			m := e.Message(l)
			if strings.Contains(m, "%!") {
				t.Errorf("%s.Message(%s) = %q", name, l, m)
			}
			for _, a := range args {
				contains(t, name+".Message("+string(l)+")", m, fmt.Sprint(a))
			}
		}
	}
}

// TestErrorCallSites checks that every E and Wrap call in the package's code gives a refusal as
// many values as its message template uses, so that no cashier ever reads "%!s(MISSING)".
func TestErrorCallSites(t *testing.T) {
	codes := codeConsts(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || call.Ellipsis.IsValid() || len(call.Args) == 0 {
					return true
				}
				fun, ok := call.Fun.(*ast.Ident)
				if !ok || fun.Name != "E" && fun.Name != "Wrap" {
					return true
				}
				id, ok := call.Args[0].(*ast.Ident)
				if !ok {
					return true
				}
				code, ok := codes[id.Name]
				if !ok {
					t.Errorf("%s: %s(%s, ...) with an unknown code", fset.Position(call.Pos()), fun.Name, id.Name)
					return true
				}
				values := len(call.Args) - 1
				if fun.Name == "Wrap" {
					values--
				}
				calls++
				if want := len(verbs(code, fr)); values != want {
					t.Errorf("%s: %s(%s, ...) gives %d values, its message uses %d", fset.Position(call.Pos()), fun.Name, id.Name, values, want)
				}
				return true
			})
		}
	}
	if calls < 30 {
		t.Fatalf("found %d E and Wrap calls, expected many more", calls)
	}
}

// sentinelArgs gives each sentinel's code values like those the code gives it.
var sentinelArgs = map[comptoir.Code][]any{
	comptoir.CodeInvalidAmount:          {"12,505"},
	comptoir.CodeAmountTooLarge:         {"10000000"},
	comptoir.CodeInvalidPrice:           {comptoir.Money(-250)},
	comptoir.CodeGTINLength:             {"123"},
	comptoir.CodeGTINChars:              {"12a"},
	comptoir.CodeGTINCheckDigit:         {"3017620422004", 3},
	comptoir.CodeUnknownVATRate:         {"19,6"},
	comptoir.CodeEmptyName:              nil,
	comptoir.CodeEmptyTicket:            nil,
	comptoir.CodeTooManyLines:           {comptoir.MaxLines},
	comptoir.CodeUnknownProduct:         {"3017620422003"},
	comptoir.CodeZeroQuantity:           {"3017620422003"},
	comptoir.CodeNegativeQuantity:       {"3017620422003"},
	comptoir.CodeQuantityTooLarge:       {"3017620422003", comptoir.MaxQty},
	comptoir.CodeUnderpaid:              {comptoir.Money(250), comptoir.Money(1000), comptoir.Money(750)},
	comptoir.CodeOverpaidNonCash:        {comptoir.Money(500)},
	comptoir.CodeInvalidPayment:         {comptoir.Money(0)},
	comptoir.CodeUnknownPaymentMethod:   {"bitcoin"},
	comptoir.CodeRefundPaymentMismatch:  {comptoir.Money(250), comptoir.Money(200)},
	comptoir.CodeRefundPositiveQuantity: {"3017620422003"},
	comptoir.CodeRefundOfRefund:         {uint64(10)},
	comptoir.CodeRefundNotInOriginal:    {"3017620422003", uint64(10)},
	comptoir.CodeRefundExceeds:          {int64(2), "3017620422003", uint64(10)},
	comptoir.CodeRefundTrainingMismatch: nil,
	comptoir.CodeTicketNotFound:         {uint64(10)},
	comptoir.CodeInvalidDate:            {"2026-13-01"},
	comptoir.CodeInvalidPeriod:          {"2026-1"},
	comptoir.CodeDayClosed:              {"2026-03-15"},
	comptoir.CodeAlreadyClosed:          {"2026-03", uint64(4)},
	comptoir.CodePeriodNotOver:          {"2026-03"},
	comptoir.CodeUnclosedPeriod:         {"2026-03-15", "2026-03"},
	comptoir.CodeInvalidRegister:        {"caisse 1"},
	comptoir.CodeDatabaseInUse:          {"/var/lib/comptoir/comptoir.db"},
	comptoir.CodeDatabaseMissing:        {"/var/lib/comptoir/comptoir.db"},
	comptoir.CodeSchemaTooNew:           {3, 2},
	comptoir.CodeCorruptRecord:          {"journal 12"},
	comptoir.CodeUnknownLang:            {"de"},
	comptoir.CodeCSVEmpty:               nil,
	comptoir.CodeCSVLine:                {3},
	comptoir.CodeCSVColumns:             {4, 3},
	comptoir.CodeCSVHeader:              {"vat"},
	comptoir.CodeCSVDuplicate:           {"3017620422003", 2},
	comptoir.CodeCSVSyntax:              {`bare " in non-quoted-field`},
	comptoir.CodeCSVQuote:               nil,
	comptoir.CodeCSVBareQuote:           nil,
	comptoir.CodeCSVTooLarge:            {64},
	comptoir.CodeCannotRead:             nil,
	comptoir.CodeFileNotFound:           {"tarif.csv"},
	comptoir.CodeNotADatabase:           {"/var/lib/comptoir/comptoir.db"},
	comptoir.CodeUnknownRegister:        {"/var/lib/comptoir/comptoir.db", "R2"},
	comptoir.CodeJournalNotEmpty:        {"comptoir.db", uint64(12), uint64(3)},
	comptoir.CodeNotACard:               {"3017620422003"},
	comptoir.CodeUnknownLawfulBasis:     {"maybe"},
	comptoir.CodeUnknownChannel:         {"fax"},
	comptoir.CodeInvalidConsentAnswer:   {"sms=peut-être"},
	comptoir.CodeConsentMissing:         {comptoir.ChannelPartners},
	comptoir.CodeEmptyPersonName:        nil,
	comptoir.CodePersonNameTooLong:      {60},
	comptoir.CodeInvalidEmail:           {"jean@"},
	comptoir.CodeInvalidPhone:           {"12"},
	comptoir.CodeInvalidPointsRule:      nil,
	comptoir.CodeRedeemUnit:             {int64(100), comptoir.Money(500)},
	comptoir.CodeInsufficientPoints:     {int64(200), int64(150)},
	comptoir.CodeInvalidDiscount:        {comptoir.Money(-500), comptoir.Money(1000)},
}

var sentinels = []*comptoir.Error{
	comptoir.ErrInvalidAmount, comptoir.ErrAmountTooLarge, comptoir.ErrInvalidPrice, comptoir.ErrGTINLength,
	comptoir.ErrGTINChars, comptoir.ErrGTINCheckDigit, comptoir.ErrUnknownVATRate, comptoir.ErrEmptyName,
	comptoir.ErrEmptyTicket, comptoir.ErrTooManyLines, comptoir.ErrUnknownProduct, comptoir.ErrZeroQuantity,
	comptoir.ErrNegativeQuantity, comptoir.ErrQuantityTooLarge, comptoir.ErrUnderpaid,
	comptoir.ErrOverpaidNonCash, comptoir.ErrInvalidPayment, comptoir.ErrUnknownPaymentMethod,
	comptoir.ErrRefundPaymentMismatch, comptoir.ErrRefundPositiveQuantity, comptoir.ErrRefundOfRefund,
	comptoir.ErrRefundNotInOriginal, comptoir.ErrRefundExceeds, comptoir.ErrRefundTrainingMismatch,
	comptoir.ErrTicketNotFound, comptoir.ErrInvalidDate, comptoir.ErrInvalidPeriod, comptoir.ErrDayClosed,
	comptoir.ErrAlreadyClosed, comptoir.ErrPeriodNotOver, comptoir.ErrUnclosedPeriod, comptoir.ErrInvalidRegister,
	comptoir.ErrDatabaseInUse, comptoir.ErrDatabaseMissing, comptoir.ErrSchemaTooNew, comptoir.ErrCorruptRecord, comptoir.ErrUnknownLang,
	comptoir.ErrCSVEmpty, comptoir.ErrCSVLine, comptoir.ErrCSVColumns, comptoir.ErrCSVHeader, comptoir.ErrCSVDuplicate,
	comptoir.ErrCSVSyntax, comptoir.ErrCSVQuote, comptoir.ErrCSVBareQuote, comptoir.ErrCSVTooLarge,
	comptoir.ErrCannotRead, comptoir.ErrFileNotFound, comptoir.ErrNotADatabase, comptoir.ErrUnknownRegister,
	comptoir.ErrJournalNotEmpty, comptoir.ErrNotACard, comptoir.ErrUnknownLawfulBasis, comptoir.ErrUnknownChannel,
	comptoir.ErrInvalidConsentAnswer, comptoir.ErrConsentMissing, comptoir.ErrEmptyPersonName,
	comptoir.ErrPersonNameTooLong, comptoir.ErrInvalidEmail, comptoir.ErrInvalidPhone, comptoir.ErrInvalidPointsRule,
	comptoir.ErrRedeemUnit, comptoir.ErrInsufficientPoints, comptoir.ErrInvalidDiscount,
}

// TestSentinelMessages explains every sentinel's refusal with values like the real ones, in both
// languages: a sentence, not the bare code, with every value in it and no fmt error marker.
func TestSentinelMessages(t *testing.T) {
	for i, s := range sentinels {
		for _, o := range sentinels[:i] {
			if s.Code == o.Code || errors.Is(s, o) {
				t.Errorf("sentinels %s and %s match each other", s.Code, o.Code)
			}
		}
		args, ok := sentinelArgs[s.Code]
		if !ok {
			t.Errorf("no values for sentinel %s in sentinelArgs", s.Code)
			continue
		}
		e := &comptoir.Error{Code: s.Code, Args: args}
		if !errors.Is(e, s) {
			t.Errorf("errors.Is(E(%s, ...), sentinel) = false", s.Code)
		}
		for _, l := range langs {
			m := e.Message(l)
			if m == "" || m == string(s.Code) || strings.Contains(m, "%!") || strings.Contains(m, "%%") {
				t.Errorf("%s.Message(%s) = %q", s.Code, l, m)
			}
			for _, a := range args {
				want := fmt.Sprint(a)
				if f, ok := a.(interface{ Format(comptoir.Lang) string }); ok {
					want = f.Format(l)
				}
				contains(t, string(s.Code)+".Message("+string(l)+")", m, want)
			}
		}
		if e.Message(fr) == e.Message(en) {
			t.Errorf("%s: the same message in both languages: %q", s.Code, e.Message(fr))
		}
	}
}

// TestSentinelsListed checks that the test's list holds every sentinel errors.go declares, so that
// a new sentinel cannot go without a message check.
func TestSentinelsListed(t *testing.T) {
	codes := codeConsts(t)
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[comptoir.Code]bool{}
	for _, s := range sentinels {
		listed[s.Code] = true
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			for i, name := range v.Names {
				call, ok := v.Values[i].(*ast.CallExpr)
				if !ok || !strings.HasPrefix(name.Name, "Err") || len(call.Args) != 1 {
					continue
				}
				id, ok := call.Args[0].(*ast.Ident)
				if !ok {
					continue
				}
				declared++
				if !listed[codes[id.Name]] {
					t.Errorf("sentinel %s is not in the test's list", name.Name)
				}
			}
		}
	}
	if got, want := declared, len(sentinels); got != want {
		t.Errorf("errors.go declares %d sentinels, the test lists %d", got, want)
	}
}
