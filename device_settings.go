package comptoir

import (
	"regexp"
	"strconv"
	"strings"
)

// DeviceSettings are the register's devices as the shop set them, for a bare run started without
// --scanner, --printer… or their environment variables. A zero value is "not set": the register
// then uses its default (no scanner, no printer, 9600 baud, 80 mm paper).
type DeviceSettings struct {
	// Scanner and Printer are ports: a device path (/dev/ttyACM0) or a Windows COM port.
	Scanner     string
	ScannerBaud int
	Printer     string
	PrinterBaud int
	// Paper is the receipt roll's width in millimetres: 58 or 80.
	Paper int
}

// SerialBauds are the speeds a device setting accepts: the standard serial speeds scanners and
// receipt printers are sold with. Anything else is a typo (96000) that would garble every scan.
var SerialBauds = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200}

// PaperWidths are the receipt roll widths the receipts are laid out for, in millimetres.
var PaperWidths = []int{58, 80}

// comPort is a Windows serial port name.
var comPort = regexp.MustCompile(`^(?i:COM)[1-9][0-9]{0,2}$`)

// settingPort is a device's port. An empty value clears it; otherwise it must be a path from the
// root (/dev/ttyUSB0) or a COM port, so that a port name typed without its directory (ttyUSB0)
// is refused when set rather than when the register fails to open it.
func settingPort(key, fr, en string, field func(*ShopSettings) *string) setting {
	label := Text{fr, en}
	return setting{
		label: label,
		check: func(_ ShopSettings, v string) (string, error) {
			v = strings.TrimSpace(v)
			if v == "" || comPort.MatchString(v) || (strings.HasPrefix(v, "/") && len(v) > 1 && !strings.ContainsAny(v, " \t")) {
				return v, nil
			}
			return "", E(CodeDevicePort, settingName{key: key, label: label}, v)
		},
		load: func(s *ShopSettings, v string) error { *field(s) = v; return nil },
	}
}

// settingChoice is a device's number taken from a fixed list (a speed, a paper width). An empty
// value clears it; refuse says why another value is refused, given the list of choices.
func settingChoice(key, fr, en string, choices []int, refuse func(name settingName, v, list string) error,
	field func(*ShopSettings) *int) setting {
	label := Text{fr, en}
	return setting{
		label: label,
		check: func(_ ShopSettings, v string) (string, error) {
			v = strings.TrimSpace(v)
			if v == "" {
				return "", nil
			}
			n, err := strconv.Atoi(v)
			for _, c := range choices {
				if err == nil && n == c {
					return strconv.Itoa(n), nil
				}
			}
			list := make([]string, len(choices))
			for i, c := range choices {
				list[i] = strconv.Itoa(c)
			}
			return "", refuse(settingName{key: key, label: label}, v, strings.Join(list, ", "))
		},
		load: func(s *ShopSettings, v string) error {
			if v == "" {
				*field(s) = 0
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return E(CodeInvalidSetting, key, v)
			}
			*field(s) = n
			return nil
		},
	}
}

func refuseBaud(name settingName, v, list string) error  { return E(CodeBaudRate, name, v, list) }
func refusePaper(name settingName, v, list string) error { return E(CodePaperWidth, name, v, list) }

// deviceSettingKeys are the device settings, added to settingKeys.
var deviceSettingKeys = map[string]setting{
	"device.scanner": settingPort("device.scanner", "Port du scanner", "Scanner port",
		func(s *ShopSettings) *string { return &s.Devices.Scanner }),
	"device.scanner-baud": settingChoice("device.scanner-baud", "Vitesse du scanner (bauds)", "Scanner speed (baud)",
		SerialBauds, refuseBaud, func(s *ShopSettings) *int { return &s.Devices.ScannerBaud }),
	"device.printer": settingPort("device.printer", "Port de l'imprimante", "Printer port",
		func(s *ShopSettings) *string { return &s.Devices.Printer }),
	"device.printer-baud": settingChoice("device.printer-baud", "Vitesse de l'imprimante (bauds)", "Printer speed (baud)",
		SerialBauds, refuseBaud, func(s *ShopSettings) *int { return &s.Devices.PrinterBaud }),
	"device.paper": settingChoice("device.paper", "Largeur du papier (mm)", "Paper width (mm)",
		PaperWidths, refusePaper, func(s *ShopSettings) *int { return &s.Devices.Paper }),
}

// get reads a device setting as Set takes it; ok is false for a key that is not a device's.
func (d DeviceSettings) get(key string) (v string, ok bool) {
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	switch key {
	case "device.scanner":
		return d.Scanner, true
	case "device.scanner-baud":
		return num(d.ScannerBaud), true
	case "device.printer":
		return d.Printer, true
	case "device.printer-baud":
		return num(d.PrinterBaud), true
	case "device.paper":
		return num(d.Paper), true
	}
	return "", false
}
