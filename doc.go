// Package comptoir is the domain of the Comptoir point-of-sale register: money, products, tickets,
// payments, VAT, Z closings, the rules that tie them together as pure functions, the typed errors
// that explain every refusal, and the service interfaces that the store implements.
//
// It imports the standard library only. Everything that talks to a disk, a network or a terminal
// lives in a sub-package (store, syncer, devices, ui) and is wired together in cmd/.
package comptoir
