package main

import (
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/creack/pty"
)

// flagValues are the values of registerFlags, comparable.
type flagValues struct {
	scanner            string
	baud               int
	printer            string
	printerBaud, paper int
}

// TestRegisterFlags_Precedence checks that a flag wins over the environment, the environment over
// the shop's device setting, and the setting over the default, option by option.
func TestRegisterFlags_Precedence(t *testing.T) {
	set := comptoir.DeviceSettings{Scanner: "/dev/set-scanner", ScannerBaud: 19200, Printer: "/dev/set-printer",
		PrinterBaud: 38400, Paper: 58}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		set  comptoir.DeviceSettings
		want flagValues
	}{
		{"defaults", nil, nil, comptoir.DeviceSettings{},
			flagValues{baud: 9600, printerBaud: 9600, paper: 80}},
		{"settings over defaults", nil, nil, set,
			flagValues{scanner: "/dev/set-scanner", baud: 19200, printer: "/dev/set-printer", printerBaud: 38400, paper: 58}},
		{"environment over settings", nil, map[string]string{"COMPTOIR_SCANNER": "/dev/env-scanner",
			"COMPTOIR_SCANNER_BAUD": "4800", "COMPTOIR_PRINTER": "/dev/env-printer", "COMPTOIR_PRINTER_BAUD": "57600",
			"COMPTOIR_PAPER": "80"}, set,
			flagValues{scanner: "/dev/env-scanner", baud: 4800, printer: "/dev/env-printer", printerBaud: 57600, paper: 80}},
		{"flags over environment and settings", []string{"--scanner", "/dev/flag-scanner", "--scanner-baud", "9600",
			"--printer=/dev/flag-printer", "--printer-baud", "115200", "--paper", "80"},
			map[string]string{"COMPTOIR_SCANNER": "/dev/env-scanner", "COMPTOIR_SCANNER_BAUD": "4800",
				"COMPTOIR_PRINTER": "/dev/env-printer", "COMPTOIR_PAPER": "58"}, set,
			flagValues{scanner: "/dev/flag-scanner", baud: 9600, printer: "/dev/flag-printer", printerBaud: 115200, paper: 80}},
		{"one of each", []string{"--paper", "80"}, map[string]string{"COMPTOIR_SCANNER_BAUD": "2400"}, set,
			flagValues{scanner: "/dev/set-scanner", baud: 2400, printer: "/dev/set-printer", printerBaud: 38400, paper: 80}},
		{"a flag equal to the default still wins", []string{"--scanner-baud", "9600"}, nil,
			comptoir.DeviceSettings{ScannerBaud: 115200}, flagValues{baud: 9600, printerBaud: 9600, paper: 80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseRegisterFlags(tt.args, func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatalf("parseRegisterFlags: %v", err)
			}
			f.useSettings(tt.set)
			got := flagValues{scanner: f.scanner, baud: f.baud, printer: f.printer, printerBaud: f.printerBaud, paper: f.paper}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestRegister_ScannerFromSetting opens the register with no --scanner and no COMPTOIR_SCANNER
// on a database whose device.scanner names a pseudo-terminal: the register opens that scanner.
func TestRegister_ScannerFromSetting(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	port := slave.Name()
	slave.Close()
	defer master.Close()

	db := dbPath(t)
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(t.Context(), "device.scanner", port); err != nil {
		t.Fatalf("SetSetting: %v", err)
	}
	if err := s.SetSetting(t.Context(), "device.scanner-baud", "19200"); err != nil {
		t.Fatalf("SetSetting: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	e := registerEnv(db, nil)
	flags, err := parseRegisterFlags(nil, e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	r, err := openRegister(e, flags)
	if err != nil {
		t.Fatalf("openRegister: %v", err)
	}
	defer r.close(nil)
	if r.scanner == nil {
		t.Errorf("no scanner opened, want the one of device.scanner (%s)", port)
	}
}

// TestRun_DeviceSettings sets and shows the device settings through the CLI, and checks their
// refusals in both languages.
func TestRun_DeviceSettings(t *testing.T) {
	s := newShop(t)
	for _, kv := range [][2]string{{"device.scanner", "/dev/ttyACM0"}, {"device.scanner-baud", "115200"},
		{"device.printer", "COM3"}, {"device.printer-baud", "19200"}, {"device.paper", "58"}} {
		s.ok(s.runIn(nil, nil, "settings", "set", kv[0], kv[1]), "settings set "+kv[0])
	}
	out := s.ok(s.runIn(nil, nil, "settings", "show"), "settings show")
	for _, want := range []string{"device.scanner", "Port du scanner", "/dev/ttyACM0", "115200", "COM3", "19200", "Largeur du papier (mm)"} {
		if !strings.Contains(out, want) {
			t.Errorf("settings show lacks %q:\n%s", want, out)
		}
	}
	for _, tt := range []struct{ key, value, lang, want string }{
		{"device.scanner", "ttyUSB0", "fr", "n'est pas un port"},
		{"device.printer", "ttyUSB0", "en", "is not a port"},
		{"device.scanner-baud", "96000", "fr", "1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200"},
		{"device.printer-baud", "-9600", "en", "is not a serial speed"},
		{"device.paper", "57", "en", "58, 80 (mm)"},
		{"device.paper", "quatre-vingts", "fr", "n'est pas une largeur de papier"},
	} {
		r := s.runIn(map[string]string{"COMPTOIR_LANG": tt.lang}, nil, "settings", "set", tt.key, tt.value)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("settings set %s %q (%s) = %d, %q; want 1 and %q", tt.key, tt.value, tt.lang, r.code, r.stderr, tt.want)
		}
	}
	// An empty value clears a setting back to the default.
	s.ok(s.runIn(nil, nil, "settings", "set", "device.paper", ""), "settings set device.paper \"\"")
	if out := s.ok(s.runIn(nil, nil, "settings", "show"), "settings show"); strings.Contains(out, " 58") {
		t.Errorf("device.paper still 58 after clearing:\n%s", out)
	}
}
