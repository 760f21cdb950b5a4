package comptoir_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

func TestNormalizeEmail(t *testing.T) {
	// The longest address the register keeps is 254 characters, as SMTP allows.
	longest := strings.Repeat("a", 249) + "@x.fr"
	tests := []struct {
		in, want string
	}{
		{"Jean.Dupont@Example.FR", "jean.dupont@example.fr"},
		{"jean.dupont@example.fr", "jean.dupont@example.fr"},
		{"a+tag@sub.domain.co.uk", "a+tag@sub.domain.co.uk"},
		{"  jean@x.fr  ", "jean@x.fr"},
		{"\tjean@x.fr\n", "jean@x.fr"},
		{"O'Brien@Example.IE", "o'brien@example.ie"},
		{"Élodie@Exemple.FR", "élodie@exemple.fr"},
		{"jean_dupont-2@x-y.fr", "jean_dupont-2@x-y.fr"},
		{longest, longest},
	}
	for _, tt := range tests {
		got, err := comptoir.NormalizeEmail(tt.in)
		checkErr(t, err, nil)
		if got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again, err := comptoir.NormalizeEmail(got); err != nil || again != got {
			t.Errorf("NormalizeEmail(%q) = %q, %v, want it unchanged", got, again, err)
		}
	}
}

func TestNormalizeEmailRefused(t *testing.T) {
	// Ⱥ (2 bytes) lowercases to ⱥ (3 bytes): an address that fits 254 bytes as typed but not
	// once lowercased would be stored in a form that no longer normalizes.
	growing := strings.Repeat("Ⱥ", 120) + "@x.fr"
	for _, in := range []string{
		"",
		"   ",
		"jean",
		"jean@",
		"@x.fr",
		"jean@localhost",
		"Jean <jean@x.fr>",
		"<jean@x.fr>",
		"jean@x.fr (Jean)",
		"jean dupont@x.fr",
		`"jean dupont"@x.fr`,
		"jean@@x.fr",
		"jean@x@y.fr",
		"jean@x..fr",
		"jean..dupont@x.fr",
		"jean@.x.fr",
		"jean@x.fr.",
		"jean@x,fr",
		"jean,paul@x.fr",
		strings.Repeat("a", 295) + "@x.fr",
		strings.Repeat("a", 250) + "@x.fr",
		growing,
		// A no-break space pasted from a document is a space all the same.
		"jean\u00a0dupont@x.fr",
		// Invisible or control characters would reach the screen when a manager reveals the address.
		"jean\u202e@x.fr",
		"jean\u200b@x.fr",
		"jean\u0085@x.fr",
		"jean\x00@x.fr",
		"jean\xff@x.fr",
	} {
		got, err := comptoir.NormalizeEmail(in)
		checkErr(t, err, comptoir.ErrInvalidEmail)
		if got != "" {
			t.Errorf("NormalizeEmail(%q) = %q with the error, want \"\"", in, got)
		}
		if len(in) < 100 && utf8.ValidString(in) && comptoir.CleanText(in) == in && in != "" {
			contains(t, "Message(fr)", comptoir.Message(err, fr), "adresse e-mail invalide « "+in+" »")
			contains(t, "Message(en)", comptoir.Message(err, en), "invalid email address")
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"06 12 34 56 78", "+33612345678"},
		{"06.12.34.56.78", "+33612345678"},
		{"06-12-34-56-78", "+33612345678"},
		{"0612345678", "+33612345678"},
		{"06\u00a012\u00a034\u00a056\u00a078", "+33612345678"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"+33612345678", "+33612345678"},
		{"+33 (0)6 12 34 56 78", "+33612345678"},
		{"+33(0)612345678", "+33612345678"},
		{"0033 6 12 34 56 78", "+33612345678"},
		{"01 23 45 67 89", "+33123456789"},
		{"09 87 65 43 21", "+33987654321"},
		{"+44 20 7946 0958", "+442079460958"},
		{"0044 20 7946 0958", "+442079460958"},
		{"+1 (415) 555-2671", "+14155552671"},
		{"+49 30 12345678", "+493012345678"},
		{"+262 262 12 34 56", "+262262123456"},
		// E.164 allows 15 digits at most, and the register 8 at least.
		{"+123456789012345", "+123456789012345"},
		{"+12345678", "+12345678"},
	}
	for _, tt := range tests {
		got, err := comptoir.NormalizePhone(tt.in)
		checkErr(t, err, nil)
		if got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again, err := comptoir.NormalizePhone(got); err != nil || again != got {
			t.Errorf("NormalizePhone(%q) = %q, %v, want it unchanged", got, again, err)
		}
	}
}

func TestNormalizePhoneRefused(t *testing.T) {
	for _, in := range []string{
		"",
		"12",
		"612345678",          // Neither a leading 0 nor a country code.
		"+33 06 12 34 56 78", // +33 is never followed by the national 0.
		"0033 06 12 34 56 78",
		"+33 0 12 34 56 78",  // The right length, but the national 0 after +33.
		"+33 6 12 34 56",     // Too short for a French number.
		"+33 6 12 34 56 789", // Too long for a French number.
		"+1234567890123456",  // 16 digits.
		"+1234567",           // 7 digits.
		"06 12 34 56 7a",
		"0000000000",
		"+0612345678",
		"06 12 34 56 78 9",
		"+33 6 12 34 56 78 ext 2",
		"+",
		"00",
		"+44 20 7946 0958/9",
		"++33612345678",
		"06 12 34 56 78\x00",
		"０６１２３４５６７８", // Full-width digits.
	} {
		got, err := comptoir.NormalizePhone(in)
		checkErr(t, err, comptoir.ErrInvalidPhone)
		if got != "" {
			t.Errorf("NormalizePhone(%q) = %q with the error, want \"\"", in, got)
		}
		if in != "" && comptoir.CleanText(in) == in {
			contains(t, "Message(fr)", comptoir.Message(err, fr), "numéro de téléphone invalide « "+in+" »", "06 12 34 56 78")
			contains(t, "Message(en)", comptoir.Message(err, en), "invalid phone number")
		}
	}
}

func TestMaskEmail(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"jean.dupont@example.fr", "j***@e***.fr"},
		{"a@b.co.uk", "a***@b***.uk"},
		{"élodie@x.fr", "é***@x***.fr"},
		{"jean@élysée.fr", "j***@é***.fr"},
		{"jean@localhost", "j***@l***"},
		{"garbage", "***"},
		{"", "***"},
		{"@x.fr", "***"},
		{"jean@", "***"},
		{"\xffjean@x.fr", "****@x***.fr"},
	}
	for _, tt := range tests {
		if got := comptoir.MaskEmail(tt.in); got != tt.want {
			t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"+33612345678", "06 ** ** ** 78"},
		{"+33123456789", "01 ** ** ** 89"},
		// Elsewhere: the first two digits, a star per hidden digit, the last two.
		{"+442079460958", "+44 ********58"},
		{"+14155552671", "+14 *******71"},
		{"+123456789012345", "+12 ***********45"},
		{"+123456", "+12 **56"},
		// A French code of the wrong length is shown as any other number.
		{"+3361234567", "+33 ******67"},
		{"+12345", "***"},
		{"", "***"},
		{"+", "***"},
		{"+33 6 12 34 56 78", "***"},
		{"+3361234567a", "***"},
	}
	for _, tt := range tests {
		if got := comptoir.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Jean", "J***"},
		{"Élodie", "É***"},
		{"Ørsted", "Ø***"},
		{"J", "J***"},
		{"", ""},
		{"\xffJean", "****"},
	}
	for _, tt := range tests {
		if got := comptoir.MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPersonalMask(t *testing.T) {
	tests := []struct {
		in, want comptoir.Personal
	}{
		{comptoir.Personal{FirstName: "Jean", LastName: "Dupont", Email: "jean.dupont@example.fr", Phone: "+33612345678"},
			comptoir.Personal{FirstName: "J***", LastName: "D***", Email: "j***@e***.fr", Phone: "06 ** ** ** 78"}},
		{comptoir.Personal{FirstName: "Élodie", LastName: "Martin-Leroy", Email: "elodie@martin.co.uk", Phone: "+442079460958"},
			comptoir.Personal{FirstName: "É***", LastName: "M***", Email: "e***@m***.uk", Phone: "+44 ********58"}},
		// A member may give neither email nor phone: nothing is invented for them.
		{comptoir.Personal{FirstName: "Paul", LastName: "Durand"},
			comptoir.Personal{FirstName: "P***", LastName: "D***"}},
		{comptoir.Personal{}, comptoir.Personal{}},
	}
	for _, tt := range tests {
		got := tt.in.Mask()
		if got != tt.want {
			t.Errorf("%+v.Mask() = %+v, want %+v", tt.in, got, tt.want)
		}
		shown := strings.Join([]string{got.FirstName, got.LastName, got.Email, got.Phone}, "|")
		for _, secret := range []string{tt.in.FirstName, tt.in.LastName, tt.in.Email, tt.in.Phone, strings.TrimPrefix(tt.in.Phone, "+33")} {
			if secret != "" && strings.Contains(shown, secret) {
				t.Errorf("%+v.Mask() = %+v shows %q", tt.in, got, secret)
			}
		}
		if local, _, ok := strings.Cut(tt.in.Email, "@"); ok && strings.Contains(shown, local) {
			t.Errorf("%+v.Mask() = %+v shows the email's local part %q", tt.in, got, local)
		}
	}
}

func TestNormalizePersonal(t *testing.T) {
	valid := comptoir.Personal{FirstName: "Jean", LastName: "Dupont", Email: "Jean.Dupont@Example.FR", Phone: "06 12 34 56 78"}
	with := func(f func(*comptoir.Personal)) comptoir.Personal {
		p := valid
		f(&p)
		return p
	}
	maxName := strings.Repeat("é", 60)
	tests := []struct {
		name string
		in   comptoir.Personal
		want comptoir.Personal
		err  *comptoir.Error
		fr   []string
	}{
		{name: "normalised", in: valid,
			want: comptoir.Personal{FirstName: "Jean", LastName: "Dupont", Email: "jean.dupont@example.fr", Phone: "+33612345678"}},
		{name: "names cleaned",
			in: with(func(p *comptoir.Personal) {
				p.FirstName = "  \x1b[31mJean\x1b[0m \u200b Pierre\n"
				p.LastName = "Du\x07pont\t"
			}),
			want: comptoir.Personal{FirstName: "Jean Pierre", LastName: "Dupont", Email: "jean.dupont@example.fr", Phone: "+33612345678"}},
		{name: "no email, no phone",
			in:   comptoir.Personal{FirstName: "Paul", LastName: "Durand"},
			want: comptoir.Personal{FirstName: "Paul", LastName: "Durand"}},
		{name: "email only",
			in:   comptoir.Personal{FirstName: "Paul", LastName: "Durand", Email: " Paul@X.fr "},
			want: comptoir.Personal{FirstName: "Paul", LastName: "Durand", Email: "paul@x.fr"}},
		{name: "phone only",
			in:   comptoir.Personal{FirstName: "Paul", LastName: "Durand", Phone: "+44 20 7946 0958"},
			want: comptoir.Personal{FirstName: "Paul", LastName: "Durand", Phone: "+442079460958"}},
		{name: "longest names", in: with(func(p *comptoir.Personal) { p.FirstName = maxName; p.LastName = maxName }),
			want: with(func(p *comptoir.Personal) {
				p.FirstName, p.LastName, p.Email, p.Phone = maxName, maxName, "jean.dupont@example.fr", "+33612345678"
			})},
		{name: "ErrEmptyPersonName/first", in: with(func(p *comptoir.Personal) { p.FirstName = "" }), err: comptoir.ErrEmptyPersonName,
			fr: []string{"le prénom et le nom sont obligatoires"}},
		{name: "ErrEmptyPersonName/last", in: with(func(p *comptoir.Personal) { p.LastName = "   " }), err: comptoir.ErrEmptyPersonName},
		{name: "ErrEmptyPersonName/control only", in: with(func(p *comptoir.Personal) { p.LastName = "\x1b[2J\x00\u200b" }), err: comptoir.ErrEmptyPersonName},
		{name: "ErrPersonNameTooLong/first", in: with(func(p *comptoir.Personal) { p.FirstName = maxName + "e" }), err: comptoir.ErrPersonNameTooLong,
			fr: []string{"60 caractères au plus"}},
		{name: "ErrPersonNameTooLong/last", in: with(func(p *comptoir.Personal) { p.LastName = strings.Repeat("a", 61) }), err: comptoir.ErrPersonNameTooLong},
		{name: "ErrInvalidEmail", in: with(func(p *comptoir.Personal) { p.Email = "jean@" }), err: comptoir.ErrInvalidEmail,
			fr: []string{"« jean@ »"}},
		{name: "ErrInvalidPhone", in: with(func(p *comptoir.Personal) { p.Phone = "612345678" }), err: comptoir.ErrInvalidPhone,
			fr: []string{"« 612345678 »"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := comptoir.NormalizePersonal(tt.in)
			checkErr(t, err, tt.err)
			if tt.err != nil {
				if got != (comptoir.Personal{}) {
					t.Errorf("NormalizePersonal returned %+v with the error", got)
				}
				contains(t, "Message(fr)", comptoir.Message(err, fr), tt.fr...)
				return
			}
			if got != tt.want {
				t.Errorf("NormalizePersonal(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
			if again, err := comptoir.NormalizePersonal(got); err != nil || again != got {
				t.Errorf("NormalizePersonal(%+v) = %+v, %v, want it unchanged", got, again, err)
			}
		})
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"Jean.Dupont@Example.FR", "a+tag@sub.domain.co.uk", " jean@x.fr ", "", "jean", "jean@", "@x.fr",
		"jean@localhost", "Jean <jean@x.fr>", "jean dupont@x.fr", "jean@@x.fr", "jean@x..fr", "jean@.x.fr",
		"jean@x.fr.", `"jean"@x.fr`, "jean@[1.2.3.4]", "ÉLODIE@EXEMPLE.FR", "İ@x.fr", "fr@x.fr", "j***@x.fr",
		"jean\u00a0@x.fr", "jean@x.fr (Jean)", strings.Repeat("Ⱥ", 120) + "@x.fr", "\xff@x.fr",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := comptoir.NormalizeEmail(s)
		if err != nil {
			if !checkOne(err, comptoir.ErrInvalidEmail) || got != "" {
				t.Fatalf("NormalizeEmail(%q) = %q, %v, want ErrInvalidEmail", s, got, err)
			}
			if m := comptoir.Message(err, fr); !strings.HasPrefix(m, "adresse e-mail invalide « ") {
				t.Fatalf("Message(fr) = %q", m)
			}
			return
		}
		if strings.ToLower(got) != got {
			t.Fatalf("NormalizeEmail(%q) = %q, not lowercase", s, got)
		}
		if strings.Count(got, "@") != 1 {
			t.Fatalf("NormalizeEmail(%q) = %q, want exactly one @", s, got)
		}
		if len(got) > 254 || !utf8.ValidString(got) || comptoir.CleanText(got) != got || strings.ContainsAny(got, " \"<>") {
			t.Fatalf("NormalizeEmail(%q) = %q, not a plain address", s, got)
		}
		if again, err := comptoir.NormalizeEmail(got); err != nil || again != got {
			t.Fatalf("NormalizeEmail(%q) = %q, %v, want %q unchanged", got, again, err, got)
		}
		local, domain, _ := strings.Cut(got, "@")
		if local == "" || !strings.Contains(domain, ".") {
			t.Fatalf("NormalizeEmail(%q) = %q: empty local part or dotless domain", s, got)
		}
		mask := comptoir.MaskEmail(got)
		maskedLocal, _, _ := strings.Cut(mask, "@")
		first, size := utf8.DecodeRuneInString(local)
		if want := string(first) + "***"; maskedLocal != want {
			t.Fatalf("MaskEmail(%q) = %q, want the local part shown as %q", got, mask, want)
		}
		// The local part is hidden unless it is a single character, or its first character
		// followed by stars, which the mask shows as it would any other.
		if size < len(local) && strings.Trim(local[size:], "*") != "" && strings.Contains(maskedLocal, local) {
			t.Fatalf("MaskEmail(%q) = %q shows the local part", got, mask)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78",
		"0033 6 12 34 56 78", "01 23 45 67 89", "+44 20 7946 0958", "+1 (415) 555-2671", "", "12",
		"612345678", "+33 06 12 34 56 78", "+33 6 12 34 56", "+1234567890123456", "06 12 34 56 7a",
		"0000000000", "+12345678", "+123456789012345", "00+33612345678", "+3(0)3612345678", "06\u00a012345678",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := comptoir.NormalizePhone(s)
		if err != nil {
			if !checkOne(err, comptoir.ErrInvalidPhone) || got != "" {
				t.Fatalf("NormalizePhone(%q) = %q, %v, want ErrInvalidPhone", s, got, err)
			}
			if m := comptoir.Message(err, fr); !strings.HasPrefix(m, "numéro de téléphone invalide « ") {
				t.Fatalf("Message(fr) = %q", m)
			}
			return
		}
		if !strings.HasPrefix(got, "+") || len(got) < 9 || len(got) > 16 {
			t.Fatalf("NormalizePhone(%q) = %q, want + and 8 to 15 digits", s, got)
		}
		for i := 1; i < len(got); i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("NormalizePhone(%q) = %q, not a digit at %d", s, got, i)
			}
		}
		if got[1] == '0' {
			t.Fatalf("NormalizePhone(%q) = %q: a country code never starts with 0", s, got)
		}
		if strings.HasPrefix(got, "+33") && (len(got) != 12 || got[3] == '0') {
			t.Fatalf("NormalizePhone(%q) = %q, not a French number", s, got)
		}
		if again, err := comptoir.NormalizePhone(got); err != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, %v, want %q unchanged", got, again, err, got)
		}
		if mask := comptoir.MaskPhone(got); strings.Contains(mask, got[1:]) || mask == "***" {
			t.Fatalf("MaskPhone(%q) = %q", got, mask)
		}
	})
}
