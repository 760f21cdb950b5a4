package comptoir_test

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

func TestCardNumber(t *testing.T) {
	if got, want := comptoir.CardNumber(0), "0400000000008"; got != want {
		t.Errorf("CardNumber(0) = %q, want %q", got, want)
	}
	if got, want := comptoir.CardNumber(123456789), "040123456789"; !strings.HasPrefix(got, want) {
		t.Errorf("CardNumber(123456789) = %q, want the body %q", got, want)
	}
	check := func(n uint64) string {
		t.Helper()
		c := comptoir.CardNumber(n)
		if len(c) != 13 || !strings.HasPrefix(c, "04") {
			t.Fatalf("CardNumber(%d) = %q, want 13 digits starting with 04", n, c)
		}
		if err := comptoir.ValidateCard(c); err != nil {
			t.Fatalf("ValidateCard(CardNumber(%d) = %q) = %v", n, c, err)
		}
		if !comptoir.IsRestrictedCirculation(c) {
			t.Fatalf("IsRestrictedCirculation(CardNumber(%d) = %q) = false", n, c)
		}
		if got, want := int(c[12]-'0'), refCheckDigit(c[:12]); got != want {
			t.Fatalf("CardNumber(%d) = %q, check digit %d, want %d", n, c, got, want)
		}
		return c
	}
	seen := map[string]uint64{}
	r := rand.New(rand.NewPCG(4, 2026))
	ns := []uint64{1, 2, 9, 10, 99, 100, 9_999_999_999}
	for n := range uint64(5000) {
		ns = append(ns, n)
	}
	for range 5000 {
		ns = append(ns, r.Uint64N(10_000_000_000))
	}
	for _, n := range ns {
		c := check(n)
		if other, ok := seen[c]; ok && other != n {
			t.Fatalf("CardNumber(%d) = CardNumber(%d) = %q", n, other, c)
		}
		seen[c] = n
	}
	if len(seen) < 10_000 {
		t.Fatalf("only %d distinct numbers sampled", len(seen))
	}
	// Beyond the ten digits of the body the sequence wraps, but the number stays a valid card.
	check(math.MaxUint64)
	check(10_000_000_000)
}

func TestValidateCard(t *testing.T) {
	tests := []struct {
		code string
		want *comptoir.Error
	}{
		{"0400000000008", nil},
		{"0401234567893", nil},
		{comptoir.CardNumber(42), nil},
		{"3017620422003", comptoir.ErrNotACard}, // A product sold in the shop.
		{"0500000000005", comptoir.ErrNotACard},
		{"96385074", comptoir.ErrNotACard},       // A valid GTIN-8.
		{"036000291452", comptoir.ErrNotACard},   // A valid UPC-A.
		{"04000000000006", comptoir.ErrNotACard}, // A valid GTIN-14 starting with 04.
		{"0400000000009", comptoir.ErrGTINCheckDigit},
		{"0401234567890", comptoir.ErrGTINCheckDigit},
		{"040000000000a", comptoir.ErrGTINChars},
		{"04000", comptoir.ErrGTINLength},
		{"", comptoir.ErrGTINLength},
	}
	for _, tt := range tests {
		err := comptoir.ValidateCard(tt.code)
		checkErr(t, err, tt.want)
		if tt.want == comptoir.ErrNotACard {
			contains(t, "Message(fr)", comptoir.Message(err, fr), tt.code+" n'est pas une carte de fidélité", "04")
			contains(t, "Message(en)", comptoir.Message(err, en), tt.code+" is not a loyalty card")
		}
	}
}

func TestParseLawfulBasis(t *testing.T) {
	tests := []struct {
		in   string
		want comptoir.LawfulBasis
	}{
		{"consent-obtained", comptoir.BasisConsentObtained},
		{"not-applicable", comptoir.BasisNotApplicable},
		{"Consent-Not Responded", comptoir.BasisConsentNotResponded},
		{"consent not responded", comptoir.BasisConsentNotResponded},
		{"CONSENT_NOT_RESPONDED", comptoir.BasisConsentNotResponded},
		{"legitimate interests", comptoir.BasisLegitimateInterests},
		{"  Legitimate Interests\t", comptoir.BasisLegitimateInterests},
		// Spacing aside: doubled spaces and spaced hyphens, as CRM exports have them.
		{"Legitimate   Interests", comptoir.BasisLegitimateInterests},
		{"Consent - Pending", comptoir.BasisConsentPending},
		{"consent -awaiting", comptoir.BasisConsentAwaiting},
		{"Stop Processing", comptoir.BasisStopProcessing},
		{"stop-processing", comptoir.BasisStopProcessing},
		{"DELETE", comptoir.BasisDelete},
		{"Public Interests", comptoir.BasisPublicInterests},
		{"Intérêts légitimes", comptoir.BasisLegitimateInterests},
		{"INTÉRÊTS LÉGITIMES", comptoir.BasisLegitimateInterests},
		{"obligation légale", comptoir.BasisLegalObligation},
		{"Consentement sans réponse", comptoir.BasisConsentNotResponded},
		{"arrêt du traitement", comptoir.BasisStopProcessing},
		{"Suppression", comptoir.BasisDelete},
		{"Contrat", comptoir.BasisContract},
	}
	for _, tt := range tests {
		got, err := comptoir.ParseLawfulBasis(tt.in)
		checkErr(t, err, nil)
		if got != tt.want {
			t.Errorf("ParseLawfulBasis(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Every basis reads back from its code and from its label in each language.
	for _, b := range comptoir.LawfulBases() {
		for _, in := range []string{string(b), b.Format(fr), b.Format(en), strings.ToUpper(b.Format(en)), strings.ToLower(b.Format(fr))} {
			if got, err := comptoir.ParseLawfulBasis(in); err != nil || got != b {
				t.Errorf("ParseLawfulBasis(%q) = %q, %v, want %q", in, got, err, b)
			}
		}
	}
	for _, in := range []string{"", "   ", "maybe", "consent", "legitimate", "consent-", "-", "consent obtained maybe", "gdpr"} {
		got, err := comptoir.ParseLawfulBasis(in)
		checkErr(t, err, comptoir.ErrUnknownLawfulBasis)
		if got != "" {
			t.Errorf("ParseLawfulBasis(%q) = %q with the error", in, got)
		}
		if strings.TrimSpace(in) != "" {
			contains(t, "Message(fr)", comptoir.Message(err, fr), "base légale inconnue « "+strings.TrimSpace(in)+" »")
			contains(t, "Message(en)", comptoir.Message(err, en), "unknown lawful basis")
		}
	}
}

func TestLawfulBases(t *testing.T) {
	bases := comptoir.LawfulBases()
	if got, want := len(bases), 13; got != want {
		t.Fatalf("LawfulBases() has %d entries, want %d", got, want)
	}
	// The CRM's order.
	want := []comptoir.LawfulBasis{
		comptoir.BasisNotApplicable, comptoir.BasisLegitimateInterests, comptoir.BasisContract,
		comptoir.BasisLegalObligation, comptoir.BasisVitalInterests, comptoir.BasisPublicInterests,
		comptoir.BasisConsentPending, comptoir.BasisConsentAwaiting, comptoir.BasisConsentObtained,
		comptoir.BasisConsentNotResponded, comptoir.BasisStopProcessing, comptoir.BasisConsentDeclined,
		comptoir.BasisDelete,
	}
	if !slices.Equal(bases, want) {
		t.Errorf("LawfulBases() = %v, want %v", bases, want)
	}
	labels := map[string]comptoir.LawfulBasis{}
	for _, b := range bases {
		for _, l := range langs {
			s := b.Format(l)
			if s == "" || s == string(b) {
				t.Errorf("%q.Format(%s) = %q, want a label", b, l, s)
			}
			if other, ok := labels[s]; ok {
				t.Errorf("%q and %q share the label %q", b, other, s)
			}
			labels[s] = b
		}
	}
	if got, want := comptoir.BasisConsentNotResponded.Format(en), "Consent-Not Responded"; got != want {
		t.Errorf("Format(en) = %q, want the CRM's label %q", got, want)
	}
	if got, want := comptoir.BasisLegitimateInterests.Format(fr), "Intérêts légitimes"; got != want {
		t.Errorf("Format(fr) = %q, want %q", got, want)
	}
	if got, want := comptoir.LawfulBasis("other").Format(fr), "other"; got != want {
		t.Errorf("unknown basis Format = %q, want %q", got, want)
	}
	// The list is the caller's: changing it changes nothing for the next caller.
	bases[0] = "changed"
	if comptoir.LawfulBases()[0] != comptoir.BasisNotApplicable {
		t.Errorf("LawfulBases shares its backing array with callers")
	}
}

func TestParseChannel(t *testing.T) {
	tests := []struct {
		in   string
		want comptoir.Channel
	}{
		{"email", comptoir.ChannelEmail},
		{"E-mail", comptoir.ChannelEmail},
		{"mail", comptoir.ChannelEmail},
		{"Courriel", comptoir.ChannelEmail},
		{"sms", comptoir.ChannelSMS},
		{" SMS ", comptoir.ChannelSMS},
		{"phone", comptoir.ChannelPhone},
		{"téléphone", comptoir.ChannelPhone},
		{"Telephone", comptoir.ChannelPhone},
		{"tel", comptoir.ChannelPhone},
		{"post", comptoir.ChannelPost},
		{"courrier", comptoir.ChannelPost},
		{"postal", comptoir.ChannelPost},
		{"partners", comptoir.ChannelPartners},
		{"Partenaires", comptoir.ChannelPartners},
	}
	for _, tt := range tests {
		got, err := comptoir.ParseChannel(tt.in)
		checkErr(t, err, nil)
		if got != tt.want {
			t.Errorf("ParseChannel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"", "fax", "emails", "sms,", "e mail"} {
		got, err := comptoir.ParseChannel(in)
		checkErr(t, err, comptoir.ErrUnknownChannel)
		if got != "" {
			t.Errorf("ParseChannel(%q) = %q with the error", in, got)
		}
		if in != "" {
			contains(t, "Message(fr)", comptoir.Message(err, fr), "canal inconnu « "+in+" »", "partners")
			contains(t, "Message(en)", comptoir.Message(err, en), `unknown channel "`+in+`"`)
		}
	}
}

func TestChannelFormat(t *testing.T) {
	tests := []struct {
		c      comptoir.Channel
		fr, en string
	}{
		{comptoir.ChannelEmail, "e-mail", "email"},
		{comptoir.ChannelSMS, "SMS", "SMS"},
		{comptoir.ChannelPhone, "téléphone", "phone"},
		{comptoir.ChannelPost, "courrier", "post"},
		{comptoir.ChannelPartners, "partenaires", "partners"},
		{"fax", "fax", "fax"},
	}
	for _, tt := range tests {
		if got := tt.c.Format(fr); got != tt.fr {
			t.Errorf("%q.Format(fr) = %q, want %q", tt.c, got, tt.fr)
		}
		if got := tt.c.Format(en); got != tt.en {
			t.Errorf("%q.Format(en) = %q, want %q", tt.c, got, tt.en)
		}
	}
	if got, want := len(comptoir.Channels), 5; got != want {
		t.Fatalf("%d channels, want %d", got, want)
	}
	// What the register shows reads back as the same channel.
	for _, c := range comptoir.Channels {
		for _, l := range langs {
			if got, err := comptoir.ParseChannel(c.Format(l)); err != nil || got != c {
				t.Errorf("ParseChannel(%q) = %q, %v, want %q", c.Format(l), got, err, c)
			}
		}
	}
}

func TestParseConsentSpec(t *testing.T) {
	all := func(email, sms, phone, post, partners bool) map[comptoir.Channel]bool {
		return map[comptoir.Channel]bool{comptoir.ChannelEmail: email, comptoir.ChannelSMS: sms,
			comptoir.ChannelPhone: phone, comptoir.ChannelPost: post, comptoir.ChannelPartners: partners}
	}
	tests := []struct {
		spec   string
		want   map[comptoir.Channel]bool
		err    *comptoir.Error
		fr, en []string
	}{
		{spec: "email=yes,sms=no,phone=no,post=no,partners=no", want: all(true, false, false, false, false)},
		{spec: "email=no,sms=yes,phone=yes,post=yes,partners=yes", want: all(false, true, true, true, true)},
		{spec: "courriel=oui,sms=non,téléphone=oui,courrier=non,partenaires=non", want: all(true, false, true, false, false)},
		{spec: "partners=no,post=yes,phone=no,sms=yes,email=no", want: all(false, true, false, true, false)},
		{spec: " email = YES , sms= No ,phone =Oui,  post=NON , partners = y ", want: all(true, false, true, false, true)},
		{spec: "email=o,sms=n,phone=true,post=false,partners=1", want: all(true, false, true, false, true)},
		{spec: "email=0,sms=1,phone=no,post=no,partners=no,", want: all(false, true, false, false, false)},
		{spec: ",email=yes,,sms=no,phone=no,post=no,partners=no", want: all(true, false, false, false, false)},
		{spec: "email=yes,sms=no,phone=no,post=no", err: comptoir.ErrConsentMissing,
			fr: []string{"canal partenaires", "oui ou un non explicite"}, en: []string{"the partners channel"}},
		{spec: "email=yes,phone=no,post=no,partners=no", err: comptoir.ErrConsentMissing,
			fr: []string{"canal SMS"}, en: []string{"the SMS channel"}},
		{spec: "", err: comptoir.ErrConsentMissing, fr: []string{"canal e-mail"}, en: []string{"the email channel"}},
		{spec: "email=yes,sms=no,phone=no,post=no,partners=no,fax=yes", err: comptoir.ErrUnknownChannel,
			fr: []string{"« fax »"}},
		{spec: "email=yes,sms=maybe,phone=no,post=no,partners=no", err: comptoir.ErrInvalidConsentAnswer,
			fr: []string{"« sms=maybe »", "canal=oui"}, en: []string{`"sms=maybe"`}},
		{spec: "email=yes,sms=,phone=no,post=no,partners=no", err: comptoir.ErrInvalidConsentAnswer},
		{spec: "email=yes,sms,phone=no,post=no,partners=no", err: comptoir.ErrInvalidConsentAnswer, fr: []string{"« sms »"}},
		{spec: "email=yes,sms=no,phone=no,post=no,partners=no,email=no", err: comptoir.ErrInvalidConsentAnswer,
			fr: []string{"« email=no »"}},
		// The same channel under another name is a duplicate too.
		{spec: "email=yes,courriel=yes,sms=no,phone=no,post=no,partners=no", err: comptoir.ErrInvalidConsentAnswer},
		{spec: "email=yes=no,sms=no,phone=no,post=no,partners=no", err: comptoir.ErrInvalidConsentAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := comptoir.ParseConsentSpec(tt.spec)
			checkErr(t, err, tt.err)
			if tt.err != nil {
				if got != nil {
					t.Errorf("ParseConsentSpec returned %v with the error", got)
				}
				contains(t, "Message(fr)", comptoir.Message(err, fr), tt.fr...)
				contains(t, "Message(en)", comptoir.Message(err, en), tt.en...)
				return
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("ParseConsentSpec(%q) = %v, want %v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestDeriveConsent(t *testing.T) {
	t0 := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	ev := func(c comptoir.Channel, granted bool, at time.Time, by string) comptoir.ConsentEvent {
		return comptoir.ConsentEvent{Channel: c, Granted: granted, At: at, Via: comptoir.ViaRegister, By: by, NoticeVersion: "v1"}
	}
	grant := ev(comptoir.ChannelEmail, true, t0, "Marie")
	withdraw := ev(comptoir.ChannelEmail, false, t0.Add(time.Hour), "web")
	regrant := ev(comptoir.ChannelEmail, true, t0.Add(2*time.Hour), "Paul")
	sms := ev(comptoir.ChannelSMS, true, t0.Add(30*time.Minute), "Marie")
	tieGrant := ev(comptoir.ChannelPost, true, t0, "a")
	tieWithdraw := ev(comptoir.ChannelPost, false, t0, "b")
	// The same instant in another zone is a tie too.
	tieParis := ev(comptoir.ChannelPost, true, t0.In(paris), "c")

	tests := []struct {
		name   string
		events []comptoir.ConsentEvent
		want   map[comptoir.Channel]comptoir.ConsentEvent
	}{
		{"none", nil, map[comptoir.Channel]comptoir.ConsentEvent{}},
		{"one grant", []comptoir.ConsentEvent{grant}, map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelEmail: grant}},
		{"withdraw after grant", []comptoir.ConsentEvent{grant, withdraw}, map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelEmail: withdraw}},
		{"given out of order", []comptoir.ConsentEvent{withdraw, grant}, map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelEmail: withdraw}},
		{"granted again", []comptoir.ConsentEvent{regrant, grant, withdraw}, map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelEmail: regrant}},
		{"per channel", []comptoir.ConsentEvent{withdraw, sms, grant},
			map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelEmail: withdraw, comptoir.ChannelSMS: sms}},
		{"a withdrawal wins a tie", []comptoir.ConsentEvent{tieGrant, tieWithdraw},
			map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelPost: tieWithdraw}},
		{"a withdrawal wins a tie, given first", []comptoir.ConsentEvent{tieWithdraw, tieGrant},
			map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelPost: tieWithdraw}},
		{"tie across zones", []comptoir.ConsentEvent{tieGrant, tieParis, tieWithdraw},
			map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelPost: tieWithdraw}},
		{"tie across zones, withdrawal first", []comptoir.ConsentEvent{tieWithdraw, tieGrant, tieParis},
			map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelPost: tieWithdraw}},
		{"two grants tied: the one given last", []comptoir.ConsentEvent{tieGrant, tieParis},
			map[comptoir.Channel]comptoir.ConsentEvent{comptoir.ChannelPost: tieParis}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.events)
			got := comptoir.DeriveConsent(tt.events)
			if !slices.Equal(tt.events, before) {
				t.Errorf("DeriveConsent reordered its input: %+v, was %+v", tt.events, before)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("DeriveConsent = %+v, want %+v", got, tt.want)
			}
			for c, want := range tt.want {
				if got[c] != want {
					t.Errorf("state[%s] = %+v, want %+v", c, got[c], want)
				}
				if got.Granted(c) != want.Granted {
					t.Errorf("Granted(%s) = %v, want %v", c, got.Granted(c), want.Granted)
				}
			}
			for _, c := range comptoir.Channels {
				if _, ok := tt.want[c]; !ok && got.Granted(c) {
					t.Errorf("Granted(%s) = true without any event", c)
				}
			}
		})
	}

	// Random histories: the state is, per channel, the latest event, a withdrawal winning a tie
	// and the last given of equal answers at one instant.
	r := rand.New(rand.NewPCG(15, 3))
	for n := range 500 {
		events := make([]comptoir.ConsentEvent, r.IntN(20))
		for i := range events {
			events[i] = ev(comptoir.Channels[r.IntN(len(comptoir.Channels))], r.IntN(2) == 0, t0.Add(time.Duration(r.IntN(10))*time.Minute), string(rune('a'+i)))
		}
		got := comptoir.DeriveConsent(events)
		for _, c := range comptoir.Channels {
			var want comptoir.ConsentEvent
			found := false
			for _, e := range events {
				later := e.At.After(want.At) || e.At.Equal(want.At) && (!e.Granted || want.Granted)
				if e.Channel == c && (!found || later) {
					want, found = e, true
				}
			}
			if e, ok := got[c]; ok != found || e != want {
				t.Fatalf("history %d, %s: state %+v (%v), want %+v (%v)", n, c, e, ok, want, found)
			}
		}
	}
}
