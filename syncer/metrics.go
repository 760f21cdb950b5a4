package syncer

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/comptoir/comptoir"
)

// The central's metrics, served at /metrics in the Prometheus text format. They live on the
// server's own registry rather than the process-wide default, so that a process (a test, a
// benchmark) may build several servers without their counters mixing or their registration
// colliding. No metric names a member: registers, routes and status codes only.

// scrapeTimeout bounds the store reads a scrape makes for the per-register gauges, so that a
// busy store slows a scrape rather than piling scrapes up.
const scrapeTimeout = 5 * time.Second

// metrics holds the server's collectors and what it knows of which registers are demos.
type metrics struct {
	reg       *prometheus.Registry
	batches   *prometheus.CounterVec
	events    *prometheus.CounterVec
	conflicts *prometheus.CounterVec
	gaps      *prometheus.CounterVec
	requests  *prometheus.HistogramVec

	s    *Server
	mu   sync.Mutex
	demo map[string]bool // register → demo, as set-up or the store last said
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), s: s, demo: make(map[string]bool)}
	labels := []string{"register", "demo"}
	m.batches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "comptoir_central_batches_total",
		Help: "Batches acknowledged, per register.",
	}, labels)
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "comptoir_central_events_total",
		Help: "Events of acknowledged batches by outcome: applied (new and applied), replayed (already held, no effect), rejected (new, stored as rejected, never applied).",
	}, []string{"register", "demo", "outcome"})
	m.conflicts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "comptoir_central_conflicts_total",
		Help: "Batches refused because an acknowledged sequence number came back with other content.",
	}, labels)
	m.gaps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "comptoir_central_gaps_total",
		Help: "Batches refused because they did not follow the acknowledged sequence.",
	}, labels)
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "comptoir_central_request_duration_seconds",
		Help:    "Time to answer a request, by route and HTTP status.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "code"})
	m.reg.MustRegister(m.batches, m.events, m.conflicts, m.gaps, m.requests, registersCollector{m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Metrics is the registry the server's metrics are on, for a program that serves them
// elsewhere or adds its own.
func (s *Server) Metrics() *prometheus.Registry { return s.metrics.reg }

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: promLogger{m.s}})
}

// promLogger passes the exposition's errors to the server's logger.
type promLogger struct{ s *Server }

func (l promLogger) Println(v ...any) { l.s.logger().Error("central: metrics", "err", v) }

func (m *metrics) setDemo(register string, demo bool) {
	m.mu.Lock()
	m.demo[register] = demo
	m.mu.Unlock()
}

// demoLabel says whether a register is a demo, asking the store the first time: a central that
// restarted still labels the demo registers that set up before it.
func (m *metrics) demoLabel(ctx context.Context, register string) string {
	m.mu.Lock()
	demo, ok := m.demo[register]
	m.mu.Unlock()
	if !ok {
		sum, err := m.s.Central.Register(ctx, register)
		if err != nil {
			return "false"
		}
		demo = sum.Demo
		m.setDemo(register, demo)
	}
	return strconv.FormatBool(demo)
}

// observePush counts a push by its outcome.
func (m *metrics) observePush(ctx context.Context, register string, res comptoir.PushResult, err error) {
	var e *comptoir.Error
	switch {
	case err == nil:
		demo := m.demoLabel(ctx, register)
		m.batches.WithLabelValues(register, demo).Inc()
		m.events.WithLabelValues(register, demo, "applied").Add(float64(res.Applied))
		m.events.WithLabelValues(register, demo, "replayed").Add(float64(res.Replayed))
		m.events.WithLabelValues(register, demo, "rejected").Add(float64(res.Rejected))
	case errors.As(err, &e) && e.Code == comptoir.CodeSeqConflict:
		m.conflicts.WithLabelValues(register, m.demoLabel(ctx, register)).Inc()
	case errors.As(err, &e) && e.Code == comptoir.CodeSeqGap:
		m.gaps.WithLabelValues(register, m.demoLabel(ctx, register)).Inc()
	}
}

// observeRequest times a request by the route pattern it matched; a path no route matched is
// "unmatched", so that scanning the central for paths adds one series, not one per path.
func (m *metrics) observeRequest(route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Observe(took.Seconds())
}

// registersCollector reads, at each scrape, what the store holds of every register that has a
// token: how far behind each one is, which survives the central's restarts as counters do not.
type registersCollector struct{ m *metrics }

var (
	descAcked = prometheus.NewDesc("comptoir_central_register_acked_seq",
		"The register's highest sequence number the central holds, every event up to it applied once.",
		[]string{"register", "demo"}, nil)
	descLastPush = prometheus.NewDesc("comptoir_central_register_last_push_timestamp_seconds",
		"When the register last pushed, in Unix seconds.", []string{"register", "demo"}, nil)
	descLag = prometheus.NewDesc("comptoir_central_register_lag_seconds",
		"Seconds since the register last pushed.", []string{"register", "demo"}, nil)
	descChain = prometheus.NewDesc("comptoir_central_register_chain_ok",
		"1 while every ticket and closing the register pushed links to the one before it, 0 once one does not.",
		[]string{"register", "demo"}, nil)
	descSigBreaks = prometheus.NewDesc("comptoir_central_signature_breaks_total",
		"Records the register pushed whose signature did not hold: missing, wrong, made by another key than the one declared for them, or not following the previous signature of their chain.",
		[]string{"register", "demo"}, nil)
	descSigPending = prometheus.NewDesc("comptoir_central_signatures_pending",
		"Events the register pushed, acknowledged, whose signatures the central's auditor has not checked yet: how far behind the auditor is.",
		[]string{"register", "demo"}, nil)
	descKeyBreaks = prometheus.NewDesc("comptoir_central_register_key_breaks",
		"Signing keys the register declared replaced because the previous one was lost: declared breaks.",
		[]string{"register", "demo"}, nil)
	descTickets = prometheus.NewDesc("comptoir_central_register_tickets",
		"Sales and refunds the central holds for the register, training excluded.", []string{"register", "demo"}, nil)
	descCardConflicts = prometheus.NewDesc("comptoir_central_card_conflicts",
		"Enrolments that used a card another member already held: flagged, never merged.", nil, nil)
)

// cardConflicts is what a central store may say of the cards two members used, for the metric of
// the same name; a store that cannot say has no such metric.
type cardConflicts interface {
	CardConflicts(ctx context.Context) (uint64, error)
}

// Describe sends the per-register descriptions.
func (c registersCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAcked, descLastPush, descLag, descChain, descSigBreaks, descSigPending, descKeyBreaks, descTickets, descCardConflicts} {
		ch <- d
	}
}

// Collect reads each register's summary; a register that never pushed has no series yet.
func (c registersCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if cc, ok := c.m.s.Central.(cardConflicts); ok {
		if n, err := cc.CardConflicts(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(descCardConflicts, prometheus.GaugeValue, float64(n))
		} else {
			c.m.s.logger().Error("central: metrics of card conflicts", "err", err)
		}
	}
	now := time.Now()
	for _, t := range c.m.s.tokens {
		if t.name == comptoir.AdminName {
			continue
		}
		sum, err := c.m.s.Central.Register(ctx, t.name)
		if err != nil {
			var e *comptoir.Error
			if !errors.As(err, &e) || e.Code != comptoir.CodeUnknownRegisterCentral {
				c.m.s.logger().Error("central: metrics of a register", "register", t.name, "err", err)
			}
			continue
		}
		c.m.setDemo(t.name, sum.Demo)
		demo := strconv.FormatBool(sum.Demo)
		chain := 0.0
		if sum.ChainOK {
			chain = 1
		}
		ch <- prometheus.MustNewConstMetric(descAcked, prometheus.GaugeValue, float64(sum.AckedSeq), t.name, demo)
		ch <- prometheus.MustNewConstMetric(descChain, prometheus.GaugeValue, chain, t.name, demo)
		// Counted in the database with the records, so the counter survives the central's
		// restarts and only grows.
		ch <- prometheus.MustNewConstMetric(descSigBreaks, prometheus.CounterValue, float64(sum.SignatureBreaks), t.name, demo)
		ch <- prometheus.MustNewConstMetric(descSigPending, prometheus.GaugeValue, float64(sum.SignaturesPending), t.name, demo)
		ch <- prometheus.MustNewConstMetric(descKeyBreaks, prometheus.GaugeValue, float64(sum.KeyBreaks), t.name, demo)
		ch <- prometheus.MustNewConstMetric(descTickets, prometheus.GaugeValue, float64(sum.Tickets), t.name, demo)
		if !sum.LastSeen.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLastPush, prometheus.GaugeValue, float64(sum.LastSeen.UnixNano())/1e9, t.name, demo)
			ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, max(0, now.Sub(sum.LastSeen).Seconds()), t.name, demo)
		}
	}
}
