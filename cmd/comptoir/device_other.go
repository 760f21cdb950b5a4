//go:build !linux

package main

import "os"

// deviceClass takes every character device for a serial line where the kernel's description of
// devices is not read: the serial set-up then refuses what is not a terminal before writing.
func deviceClass(os.FileInfo) (serialLine, printer bool) { return true, false }
