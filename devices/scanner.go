package devices

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/tarm/serial"
)

// Scanner defaults. 9600 8N1 is what serial scanners ship with.
const (
	DefaultBaud           = 9600
	DefaultDataBits       = 8
	DefaultParity         = 'N'
	DefaultStopBits       = 1
	DefaultReadTimeout    = 100 * time.Millisecond
	DefaultDebounce       = 300 * time.Millisecond
	DefaultMinBackoff     = 100 * time.Millisecond
	DefaultMaxBackoff     = 2 * time.Second
	DefaultPartialTimeout = time.Second
)

// MaxReadTimeout is the longest ReadTimeout accepted. A read pending in the kernel cannot be
// interrupted (closing the port waits for it), so Close takes up to one read timeout: capping it
// keeps Close under half a second.
const MaxReadTimeout = 200 * time.Millisecond

// NoDebounce as Config.Debounce delivers every read, even the same code twice in a row at once.
const NoDebounce time.Duration = -1

// Buffer sizes of the channels the scanner delivers on.
const (
	scanBuffer   = 64
	statusBuffer = 16
)

// fastEOFs is how many reads in a row must return nothing much faster than the read timeout before
// the port is taken for hung up. A hung-up port answers in microseconds, forever, so requiring
// three costs nothing and guards against one odd early return.
const fastEOFs = 3

// Config says where the scanner is and how it talks. A zero field takes its default.
type Config struct {
	// Port is the device path, such as /dev/ttyACM0 (USB-CDC) or /dev/ttyUSB0 (RS-232 adapter).
	// A stable udev symlink (/dev/serial/by-id/...) survives replugging into another socket.
	Port string
	// Baud is the line speed; default 9600.
	Baud int
	// DataBits is 5 to 8; default 8.
	DataBits int
	// Parity is 'N' (none, the default), 'E' (even) or 'O' (odd).
	Parity byte
	// StopBits is 1 (the default) or 2.
	StopBits int
	// ReadTimeout bounds each read on the port; default 100 ms, at most MaxReadTimeout. The port
	// counts it in tenths of a second: anything under 100 ms behaves as 100 ms. It must not be zero
	// at the port, because a read without timeout cannot be interrupted and would hold Close forever.
	ReadTimeout time.Duration
	// Debounce is the window within which the same code read again is dropped; default 300 ms,
	// NoDebounce (any negative value) to deliver every read.
	Debounce time.Duration
	// MaxLen is the longest code accepted; default DefaultMaxLen (48).
	MaxLen int
	// MinBackoff and MaxBackoff bound the wait between two attempts to open the port when it is
	// gone: the wait doubles from MinBackoff up to MaxBackoff; defaults 100 ms and 2 s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// PartialTimeout is how long a frame may stay without its terminator before it is dropped as
	// noise; default 1 s. A scanner sends a whole code in one burst (64 characters take 67 ms at
	// 9600 baud), so a partial frame that old is noise, and dropping it keeps a stray byte from
	// being glued to the front of the next code.
	PartialTimeout time.Duration
}

// Scan is one code read by the scanner.
type Scan struct {
	// Code is the code's data, printable ASCII, without symbology identifier or terminator.
	Code string
	// Symbology names the symbology from the AIM identifier ("EAN-13"), "" if none was sent.
	Symbology string
	// At is when the code's last byte was read.
	At time.Time
}

// StatusKind says what happened to the connection.
type StatusKind int

// The kinds of Status. The zero StatusKind is none of them.
const (
	// Connected: the port is open and being read.
	Connected StatusKind = iota + 1
	// Disconnected: the device is gone (unplugged, switched off, not plugged in yet); the scanner
	// keeps trying to open it.
	Disconnected
	// Error: the port is there but cannot be used (no permission, not a serial port); the scanner
	// keeps trying too, since the cause can be fixed without restarting the register.
	Error
)

// String names the kind for logs and the set-up tool.
func (k StatusKind) String() string {
	switch k {
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	case Error:
		return "error"
	}
	return "StatusKind(" + strconv.Itoa(int(k)) + ")"
}

// Status is a change of the connection's state.
type Status struct {
	Kind StatusKind
	// Err explains a Disconnected or Error status: a *comptoir.Error with code
	// CodeScannerUnplugged, CodeScannerPermission or CodeScannerFailed, wrapping the system's
	// error. It is nil for Connected.
	Err error
	At  time.Time
}

// Stats counts what the scanner did since Open.
type Stats struct {
	// Scans is the number of codes delivered on the Scans channel.
	Scans uint64
	// Noise is the number of frames dropped as noise (non-printable bytes, partial frames).
	Noise uint64
	// TooLong is the number of frames dropped for being longer than MaxLen.
	TooLong uint64
	// Debounced is the number of codes dropped as a repeat within the debounce window.
	Debounced uint64
	// Dropped is the number of codes lost because the Scans buffer was full.
	Dropped uint64
	// Reconnects is the number of times the port was opened again after being lost.
	Reconnects uint64
}

// Scanner reads codes from a serial barcode scanner. One goroutine owns the port: it opens it,
// reads and frames codes, and when the device goes away closes it and opens it again, with a
// capped exponential backoff, until it is back.
//
// Open succeeds even when the device is not there: a shop may well start the register before
// plugging the scanner in, or have it switched off. The absence is reported as a Disconnected
// status, and the scanner appears as Connected when it is plugged in. Only a configuration that
// can never work makes Open fail.
type Scanner struct {
	cfg  Config
	tick time.Duration // the read timeout the port actually applies

	scans  chan Scan
	status chan Status
	done   chan struct{} // closed by Close
	exited chan struct{} // closed when the reader goroutine has returned
	once   sync.Once

	// Owned by the reader goroutine.
	lastCode   string
	lastAt     time.Time
	lastKind   StatusKind
	lastReason comptoir.Code

	scansN, noise, tooLong, debounced, dropped, reconnects atomic.Uint64
}

// Open checks the configuration, applies defaults and starts reading the scanner in a goroutine.
// It returns an error (a *comptoir.Error with CodeScannerConfig) only for a configuration that can
// never work; a missing or unusable device is reported on Status instead, and retried.
func Open(cfg Config) (*Scanner, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Scanner{
		cfg:    cfg,
		tick:   portTimeout(cfg.ReadTimeout),
		scans:  make(chan Scan, scanBuffer),
		status: make(chan Status, statusBuffer),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// Scans delivers the codes read, in order. It is closed after Close.
//
// The channel buffers 64 scans. If the UI falls that far behind, new scans are dropped (and counted
// in Stats.Dropped) rather than old ones: the ticket then holds a gapless run of what was scanned,
// up to the point where the cashier sees items stop appearing, and the reader never waits on the UI.
func (s *Scanner) Scans() <-chan Scan { return s.scans }

// Status delivers the changes of the connection's state: Connected, and Disconnected or Error
// once per loss (not at every failed attempt to reopen). It is closed after Close.
//
// The channel buffers 16 changes. If nobody reads it, the oldest change is dropped to make room:
// a state is only worth its latest value, and the reader never waits on the UI.
func (s *Scanner) Status() <-chan Status { return s.status }

// Stats returns the counters so far. It is safe to call at any time, also after Close.
func (s *Scanner) Stats() Stats {
	return Stats{
		Scans:      s.scansN.Load(),
		Noise:      s.noise.Load(),
		TooLong:    s.tooLong.Load(),
		Debounced:  s.debounced.Load(),
		Dropped:    s.dropped.Load(),
		Reconnects: s.reconnects.Load(),
	}
}

// Close stops the reader, closes the port and waits for the goroutine to be gone, then closes the
// Scans and Status channels. It returns within one read timeout (100 ms by default, MaxReadTimeout
// at most), whether the port is open with a read pending or gone. Close may be called more than once.
func (s *Scanner) Close() error {
	s.once.Do(func() { close(s.done) })
	<-s.exited
	return nil
}

// run is the reader goroutine: open, read until the port is lost, wait, open again.
func (s *Scanner) run() {
	defer close(s.exited)
	defer close(s.status)
	defer close(s.scans)

	fr := NewFramer(s.cfg.MaxLen)
	backoff := s.cfg.MinBackoff
	connectedOnce := false
	for {
		port, err := openPort(s.cfg)
		if err != nil {
			s.report(Status{Kind: kindOf(err), Err: s.explain(err)})
			if !s.wait(backoff) {
				return
			}
			backoff = min(backoff*2, s.cfg.MaxBackoff)
			continue
		}
		if connectedOnce {
			s.reconnects.Add(1)
		}
		connectedOnce = true
		s.report(Status{Kind: Connected})

		since := time.Now()
		err = s.read(port, fr)
		// Closing a port waits for a Read pending on it, which is why Close cannot cut one short.
		// Here it is immediate: this goroutine is the only reader and it is done reading.
		port.Close()
		// A code half received when the line dropped is lost; the next connection starts clean.
		fr.Reset()
		s.syncFramer(fr)
		if err == nil {
			return // Close was called.
		}
		s.report(Status{Kind: kindOf(err), Err: s.explain(err)})
		// A connection that held a while starts the waits again from the shortest; one that drops
		// at once (a flapping cable, a device that hangs up on open) keeps growing them, so that
		// the loop never spins.
		if time.Since(since) >= s.cfg.MaxBackoff {
			backoff = s.cfg.MinBackoff
		}
		if !s.wait(backoff) {
			return
		}
		backoff = min(backoff*2, s.cfg.MaxBackoff)
	}
}

// errHangUp is how read reports a port that hung up: reads returning nothing at once, forever.
var errHangUp = errors.New("the port hung up")

// read reads the port until it is lost (the error says why) or Close is called (nil).
//
// tarm/serial sets the port to return after ReadTimeout with 0 bytes and io.EOF when nothing came.
// A hung-up port (cable pulled, USB device gone, pty master closed) returns the same 0 and io.EOF,
// but immediately and forever, so the two are told apart by the time the read took.
func (s *Scanner) read(port io.Reader, fr *Framer) error {
	var buf [256]byte
	fast := 0
	var lastByte time.Time
	for {
		select {
		case <-s.done:
			return nil
		default:
		}
		start := time.Now()
		n, err := port.Read(buf[:])
		now := time.Now()
		if n > 0 {
			// No staleness is judged here: when this goroutine was kept from running (a loaded
			// machine), the bytes of one code wait in the kernel and come in late reads, and
			// dropping the start would deliver the end alone as a code. Only a read that waited
			// a whole timeout in silence shows that the line really went quiet.
			fast = 0
			lastByte = now
			frames := fr.Write(buf[:n])
			// Counters first, so that whoever receives the next scan sees the noise before it.
			s.syncFramer(fr)
			for _, f := range frames {
				s.deliver(f, now)
			}
			if err == nil {
				continue
			}
		}
		if err != nil && err != io.EOF {
			return err
		}
		if n == 0 {
			if now.Sub(start) < s.tick/2 {
				fast++
				if fast >= fastEOFs {
					return errHangUp
				}
				continue
			}
			fast = 0
			if s.dropStale(fr, now, lastByte) {
				s.syncFramer(fr)
			}
		}
	}
}

// dropStale drops a partial frame whose last byte came more than PartialTimeout ago while the
// line was silent, and reports whether it did: stray bytes (a cable plugged in, a scanner woken)
// must not stick to the front of the next code.
func (s *Scanner) dropStale(fr *Framer, now, lastByte time.Time) bool {
	if fr.Pending() && now.Sub(lastByte) > s.cfg.PartialTimeout {
		fr.Reset()
		return true
	}
	return false
}

// syncFramer publishes the framer's counters, which only the reader goroutine may read directly.
func (s *Scanner) syncFramer(fr *Framer) {
	s.noise.Store(fr.Noise())
	s.tooLong.Store(fr.TooLong())
}

// deliver debounces a frame and hands it to the UI without ever waiting.
//
// The debounce window slides: a repeat extends it. A scanner in presentation mode reads an item
// left in front of it again and again; that must count once however long the item stays, while a
// cashier scanning two identical items takes longer than the window between them.
func (s *Scanner) deliver(f Frame, at time.Time) {
	if s.cfg.Debounce > 0 && f.Code == s.lastCode && at.Sub(s.lastAt) < s.cfg.Debounce {
		s.lastAt = at
		s.debounced.Add(1)
		return
	}
	s.lastCode, s.lastAt = f.Code, at
	// This goroutine is the only sender, so room seen in the buffer stays there until the send:
	// the send cannot block. Counting before sending lets whoever receives the scan see it counted.
	if len(s.scans) == cap(s.scans) {
		s.dropped.Add(1)
		return
	}
	s.scansN.Add(1)
	s.scans <- Scan{Code: f.Code, Symbology: f.Symbology, At: at}
}

// report sends a status change, unless it repeats the last one: Disconnected is said once per
// loss however many attempts to reopen fail, and Error again only when its reason changes. When
// the buffer is full the oldest change makes room, so that the latest state always gets through
// and the reader never waits.
func (s *Scanner) report(st Status) {
	var reason comptoir.Code
	var ce *comptoir.Error
	if errors.As(st.Err, &ce) {
		reason = ce.Code
	}
	if st.Kind == s.lastKind && reason == s.lastReason {
		return
	}
	s.lastKind, s.lastReason = st.Kind, reason
	st.At = time.Now()
	for {
		select {
		case s.status <- st:
			return
		default:
		}
		select {
		case <-s.status:
		default:
		}
	}
}

// wait sleeps for d and reports false if Close was called meanwhile.
func (s *Scanner) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.done:
		return false
	case <-t.C:
		return true
	}
}

// kindOf tells a device that is gone from one that is there but unusable.
func kindOf(err error) StatusKind {
	switch {
	case errors.Is(err, errHangUp), errors.Is(err, io.EOF),
		errors.Is(err, fs.ErrNotExist), // no device node: not plugged in
		errors.Is(err, syscall.ENXIO),  // a node without a device behind it
		errors.Is(err, syscall.ENODEV), // the device went away
		errors.Is(err, syscall.EIO):    // I/O on a device that went away, a pty without its master
		return Disconnected
	}
	return Error
}

// explain turns an error on the port into the refusal the cashier reads.
func (s *Scanner) explain(err error) error {
	switch {
	case kindOf(err) == Disconnected:
		return comptoir.Wrap(comptoir.CodeScannerUnplugged, err, s.cfg.Port)
	case errors.Is(err, fs.ErrPermission):
		return comptoir.Wrap(comptoir.CodeScannerPermission, err, s.cfg.Port)
	}
	return comptoir.Wrap(comptoir.CodeScannerFailed, err, s.cfg.Port)
}

// openPort opens the port with tarm/serial, which puts the line in raw mode (no echo, no line
// editing, no CR to LF translation) with the configured speed and format.
func openPort(cfg Config) (*serial.Port, error) {
	return serial.OpenPort(&serial.Config{
		Name:        cfg.Port,
		Baud:        cfg.Baud,
		Size:        byte(cfg.DataBits),
		Parity:      serial.Parity(cfg.Parity),
		StopBits:    serial.StopBits(cfg.StopBits),
		ReadTimeout: cfg.ReadTimeout,
	})
}

// portTimeout is the read timeout the port applies for a ReadTimeout: whole tenths of a second,
// rounded down, at least one (this is how tarm/serial sets VTIME).
func portTimeout(d time.Duration) time.Duration {
	return max(d/(100*time.Millisecond), 1) * 100 * time.Millisecond
}

// bauds are the speeds tarm/serial knows on Linux. Checking them here makes a typo fail Open
// instead of being retried forever as an unusable port.
var bauds = map[int]bool{
	50: true, 75: true, 110: true, 134: true, 150: true, 200: true, 300: true, 600: true,
	1200: true, 1800: true, 2400: true, 4800: true, 9600: true, 19200: true, 38400: true,
	57600: true, 115200: true, 230400: true, 460800: true, 500000: true, 576000: true,
	921600: true, 1000000: true, 1152000: true, 1500000: true, 2000000: true, 2500000: true,
	3000000: true, 3500000: true, 4000000: true,
}

// maxMaxLen bounds MaxLen: the framer's buffer is allocated at that size once.
const maxMaxLen = 4096

// withDefaults fills the zero fields with their defaults and refuses values that can never work.
func (c Config) withDefaults() (Config, error) {
	bad := func(field string, v any) (Config, error) {
		return c, comptoir.E(comptoir.CodeScannerConfig, field, fmt.Sprint(v))
	}
	if c.Port == "" {
		return bad("port", "")
	}
	if c.Baud == 0 {
		c.Baud = DefaultBaud
	}
	if !bauds[c.Baud] {
		return bad("baud", c.Baud)
	}
	if c.DataBits == 0 {
		c.DataBits = DefaultDataBits
	}
	if c.DataBits < 5 || c.DataBits > 8 {
		return bad("data bits", c.DataBits)
	}
	if c.Parity == 0 {
		c.Parity = DefaultParity
	}
	if c.Parity != 'N' && c.Parity != 'E' && c.Parity != 'O' {
		return bad("parity", string(rune(c.Parity)))
	}
	if c.StopBits == 0 {
		c.StopBits = DefaultStopBits
	}
	if c.StopBits != 1 && c.StopBits != 2 {
		return bad("stop bits", c.StopBits)
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.ReadTimeout < 0 || c.ReadTimeout > MaxReadTimeout {
		return bad("read timeout", c.ReadTimeout)
	}
	if c.Debounce == 0 {
		c.Debounce = DefaultDebounce
	}
	if c.MaxLen == 0 {
		c.MaxLen = DefaultMaxLen
	}
	if c.MaxLen < 0 || c.MaxLen > maxMaxLen {
		return bad("max length", c.MaxLen)
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = max(DefaultMaxBackoff, c.MinBackoff)
	}
	if c.MinBackoff < 0 {
		return bad("min backoff", c.MinBackoff)
	}
	if c.MaxBackoff < c.MinBackoff {
		return bad("max backoff", c.MaxBackoff)
	}
	if c.PartialTimeout == 0 {
		c.PartialTimeout = DefaultPartialTimeout
	}
	if c.PartialTimeout < 0 {
		return bad("partial timeout", c.PartialTimeout)
	}
	return c, nil
}
