package devices_test

import (
	"bytes"
	"testing"

	"github.com/comptoir/comptoir/devices"
)

func TestReportESCPOS_BoldTitleWrapAndCut(t *testing.T) {
	got := devices.ReportESCPOS([]string{"Rapport Z n° 3", "Espèces   12,50 €", "Grand total perpétuel  1 234,50 €"}, 20)
	want := []byte("\x1b@\x1bt\x10" +
		"\x1bE\x01Rapport Z n\xb0 3\n\x1bE\x00" +
		"Esp\xe8ces   12,50 \x80\n" +
		"Grand total\nperp\xe9tuel 1 234,50 \x80\n" +
		"\n\x1dVB\x00")
	if !bytes.Equal(got, want) {
		t.Errorf("ReportESCPOS =\n%q\nwant\n%q", got, want)
	}
}

func TestReportESCPOS_NarrowWidthIsFiftyEightMillimetres(t *testing.T) {
	long := "0123456789 0123456789 0123456789 0123456789"
	got := devices.ReportESCPOS([]string{"T", long}, 0)
	if !bytes.Contains(got, []byte("0123456789 0123456789 0123456789\n0123456789\n")) {
		t.Errorf("a width of 0 did not wrap at 32 columns: %q", got)
	}
}

func TestReportESCPOS_NoControlCharacterReachesThePrinter(t *testing.T) {
	got := devices.ReportESCPOS([]string{"T", "shop\x1bd\x05"}, 48)
	if bytes.Contains(got, []byte("\x1bd")) {
		t.Errorf("an ESC in the text reached the printer: %q", got)
	}
}
