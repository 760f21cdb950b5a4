//go:build linux

package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// deviceClass says whether a character device is a serial line or a printer, as the kernel
// describes it in sysfs (/sys/dev/char/MAJOR:MINOR leads to .../tty/ttyUSB0 or .../usbmisc/lp0).
// Pseudo-terminal slaves count as serial lines: serial-over-network bridges and tests reach a
// printer through one. Consoles, virtual terminals and the controlling terminal are terminals,
// not printers, and every other device (/dev/null, memory, a watchdog) is neither.
func deviceClass(fi os.FileInfo) (serialLine, printer bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false, false
	}
	dev := uint64(st.Rdev)
	major := (dev>>8)&0xfff | (dev>>32)&^0xfff
	minor := dev&0xff | (dev>>12)&^0xff
	switch {
	case major >= 136 && major <= 143:
		return true, false
	case major == 4 && minor < 64, major == 5:
		// tty0–tty63 are the virtual terminals; 5 is /dev/tty, /dev/console and /dev/ptmx.
		return false, false
	}
	link, err := os.Readlink(fmt.Sprintf("/sys/dev/char/%d:%d", major, minor))
	if err != nil {
		return false, false
	}
	return strings.Contains(link, "/tty/"), strings.Contains(link, "/usbmisc/lp") || strings.Contains(link, "/printer/")
}
