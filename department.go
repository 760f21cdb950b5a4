package comptoir

import (
	"strconv"
	"strings"
)

// Department is a heading items without a barcode are sold under at an open price: a label and
// a VAT rate ("Divers 20 %"). The cashier chooses it and types the price.
type Department struct {
	Name string
	VAT  VATRate
}

// MaxDepartments bounds the shop's departments: each takes one of nine internal codes.
const MaxDepartments = 9

// DefaultDepartments is the list of a shop that has set none: one department per French VAT
// rate, named for what is usually sold at it.
const DefaultDepartments = "Divers 20 %; Restauration 10 %; Alimentation 5,5 %; Presse 2,1 %"

// ParseDepartments reads the shop's departments as the setting sale.departments writes them:
// entries separated by semicolons, each a label and then its VAT rate ("Divers 20 %;
// Alimentation 5,5 %"). The empty list is the default one. It refuses an entry without a label or
// a French rate, and more than MaxDepartments entries, with CodeInvalidDepartments.
func ParseDepartments(s string) ([]Department, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultDepartments
	}
	var out []Department
	for _, entry := range strings.Split(s, ";") {
		entry = CleanText(entry)
		if entry == "" {
			continue
		}
		// The rate is the last word, with its "%" written apart or not.
		fields := strings.Fields(strings.TrimSpace(strings.TrimSuffix(entry, "%")))
		if len(fields) < 2 {
			return nil, E(CodeInvalidDepartments, s)
		}
		rate, err := ParseVATRate(fields[len(fields)-1])
		if err != nil {
			return nil, E(CodeInvalidDepartments, s)
		}
		name := strings.Join(fields[:len(fields)-1], " ")
		if len([]rune(name)) > MaxNameLen {
			return nil, E(CodeInvalidDepartments, s)
		}
		out = append(out, Department{Name: name, VAT: rate})
	}
	if len(out) == 0 || len(out) > MaxDepartments {
		return nil, E(CodeInvalidDepartments, s)
	}
	return out, nil
}

// FormatDepartments writes departments back as the setting holds them.
func FormatDepartments(ds []Department) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Name + " " + d.VAT.Format(LangFR)
	}
	return strings.Join(parts, "; ")
}

// DepartmentGTIN is the internal code the lines of the n-th department (1 to MaxDepartments)
// carry: 20999, the department in two digits, five zeros and the check digit (2099901000002 for
// the first). It is a GTIN-13 of the restricted-circulation range, so a line keeps the shape
// every line has and a refund finds it by code, price and rate like any item. Item codes 999xx
// under prefix 20 are therefore reserved; under a scale layout such a code reads as a zero price
// and cannot be scanned by mistake.
func DepartmentGTIN(n int) string {
	body := "20999" + strconv.Itoa(n/10%10) + strconv.Itoa(n%10) + "00000"
	return body + strconv.Itoa(GTINCheckDigit(body))
}

// OpenPriceProduct is the product a line of department n (counted from 1) sells at a price the
// cashier typed ("12,50"). It refuses a price that is not an amount, is zero or negative, or is
// beyond MaxAmount, with CodeOpenPriceInvalid.
func OpenPriceProduct(d Department, n int, typed string) (Product, error) {
	price, err := ParseMoney(typed)
	if err != nil || price <= 0 || price > MaxAmount {
		return Product{}, E(CodeOpenPriceInvalid, strings.TrimSpace(typed), MaxAmount)
	}
	return Product{GTIN: DepartmentGTIN(n), Name: d.Name, Price: price, VAT: d.VAT}, nil
}

// The settings of items without a barcode are registered here rather than in settingKeys' literal,
// so that they stay beside the types they read.
func init() {
	settingKeys["scale.layout"] = setting{
		label: Text{"Format des étiquettes de balance", "Scale label layout"},
		check: func(_ ShopSettings, v string) (string, error) {
			l, err := ParseScaleLayout(v)
			return string(l), err
		},
		// A layout this version does not know loads as it is and reads no code as a scale's,
		// rather than stopping every command.
		load: func(s *ShopSettings, v string) error { s.ScaleLayout = ScaleLayout(v); return nil },
	}
	settingKeys["sale.departments"] = setting{
		label: Text{"Rayons à prix libre", "Open-price departments"},
		check: func(_ ShopSettings, v string) (string, error) {
			ds, err := ParseDepartments(v)
			if err != nil {
				return "", err
			}
			return FormatDepartments(ds), nil
		},
		// A list that no longer reads loads as it is: DepartmentList then offers the default.
		load: func(s *ShopSettings, v string) error { s.Departments = v; return nil },
	}
}

// DepartmentList reads the shop's departments; a stored list that no longer reads gives the
// default one, so that the sale screen always has departments to offer.
func (s ShopSettings) DepartmentList() []Department {
	ds, err := ParseDepartments(s.Departments)
	if err != nil {
		ds, _ = ParseDepartments(DefaultDepartments)
	}
	return ds
}
