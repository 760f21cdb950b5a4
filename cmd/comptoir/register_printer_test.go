package main

import (
	"bytes"
	"context"
	"errors"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/devices"
)

func TestRegisterPrinter_PrintReportWithoutPrinterRefusesInWords(t *testing.T) {
	p := &registerPrinter{e: registerEnv(filepath.Join(t.TempDir(), "db"), nil), log: log.New(new(bytes.Buffer), "", 0), width: 48}
	err := p.PrintReport(context.Background(), []string{"Rapport X"})
	if !errors.Is(err, comptoir.E(comptoir.CodeNoReportPrinter)) {
		t.Fatalf("PrintReport without a printer = %v, want %s", err, comptoir.CodeNoReportPrinter)
	}
	if got := comptoir.Message(err, comptoir.LangFR); got == "" || got == string(comptoir.CodeNoReportPrinter) {
		t.Errorf("the refusal has no sentence: %q", got)
	}
}

func TestRegisterPrinter_PrintReportSendsESCPOSOnThePaperWidth(t *testing.T) {
	dir := t.TempDir()
	port := filepath.Join(dir, "printer.bin")
	p := &registerPrinter{e: registerEnv(filepath.Join(dir, "db"), nil), log: log.New(new(bytes.Buffer), "", 0), port: port, width: 32}
	lines := []string{"Rapport Z n° 1 — caisse R1 — journée du 2026-11-30", "Tickets  3"}
	if err := p.PrintReport(context.Background(), lines); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(port)
	if err != nil {
		t.Fatal(err)
	}
	if want := devices.ReportESCPOS(lines, 32); !bytes.Equal(got, want) {
		t.Errorf("printed %q, want %q", got, want)
	}
}
