// Package devices talks to the hardware at the counter: a serial barcode scanner (RS-232 or
// USB-CDC, through github.com/tarm/serial), and a receipt printer spoken to in ESC/POS. It
// depends on the domain package only; the command wires it to the store and the UI.
package devices
