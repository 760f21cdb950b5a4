package syncer_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/comptoir/comptoir"
)

// scrape reads /metrics as Prometheus would and parses it.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	a := do(t, h, call{method: http.MethodGet, path: "/metrics"})
	wantStatus(t, a, http.StatusOK, "")
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(a.body))
	if err != nil {
		t.Fatalf("metrics do not parse: %v\n%s", err, a.body)
	}
	return fams
}

// sample finds the metric of a family whose labels include every label given, or fails.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	fam := fams[name]
	if fam == nil {
		t.Fatalf("no metric %s", name)
	}
next:
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s with labels %v", name, labels)
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return -1
}

func TestMetrics_AfterPushes(t *testing.T) {
	for name, newCentral := range centrals {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, newCentral)
			wantStatus(t, do(t, s, setupCall("R1", tokR1, []byte(`{"demo":true}`))), http.StatusOK, "")
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 3)))), 3)
			// The answer was lost: the same batch again, then one with a bad event.
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 3)))), 3)
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, []comptoir.Event{event(4, "id-4", "no.such.type")}))), 4)
			other := []comptoir.Event{event(2, "another-id", comptoir.EventSaleRecorded)}
			wantStatus(t, do(t, s, push("R1", tokR1, batchBody(t, other))), http.StatusConflict, string(comptoir.CodeSeqConflict))
			wantStatus(t, do(t, s, push("R1", tokR1, batchBody(t, sales(9, 9)))), http.StatusConflict, string(comptoir.CodeSeqGap))
			// R2's event is its own: event IDs hash their record, which names its register, and
			// the PostgreSQL central refuses an ID another register already pushed.
			r2sale := sales(1, 1)
			r2sale[0].ID = "r2-" + r2sale[0].ID
			wantAcked(t, do(t, s, push("R2", tokR2, batchBody(t, r2sale))), 1)

			fams := scrape(t, s)
			r1 := map[string]string{"register": "R1", "demo": "true"}
			r2 := map[string]string{"register": "R2", "demo": "false"}
			for _, tt := range []struct {
				name   string
				labels map[string]string
				want   float64
			}{
				{"comptoir_central_batches_total", r1, 3},
				{"comptoir_central_batches_total", r2, 1},
				{"comptoir_central_events_total", map[string]string{"register": "R1", "outcome": "applied"}, 3},
				{"comptoir_central_events_total", map[string]string{"register": "R1", "outcome": "replayed"}, 3},
				{"comptoir_central_events_total", map[string]string{"register": "R1", "outcome": "rejected"}, 1},
				{"comptoir_central_conflicts_total", r1, 1},
				{"comptoir_central_gaps_total", r1, 1},
				{"comptoir_central_register_acked_seq", r1, 4},
				{"comptoir_central_register_acked_seq", r2, 1},
				{"comptoir_central_register_chain_ok", r2, 1},
				{"comptoir_central_signature_breaks_total", r1, 0},
				{"comptoir_central_register_key_breaks", r1, 0},
				{"comptoir_central_card_conflicts", nil, 0},
				// The auditor has not run: every acknowledged event waits for it.
				{"comptoir_central_signatures_pending", r1, 4},
			} {
				if got := value(sample(t, fams, tt.name, tt.labels)); got != tt.want {
					t.Errorf("%s%v: got %v, want %v", tt.name, tt.labels, got, tt.want)
				}
			}
			audit(t, s)
			if got := value(sample(t, scrape(t, s), "comptoir_central_signatures_pending", r1)); got != 0 {
				t.Errorf("comptoir_central_signatures_pending%v after the audit: got %v, want 0", r1, got)
			}
			if lag := value(sample(t, fams, "comptoir_central_register_lag_seconds", r1)); lag < 0 || lag > 3600 {
				t.Errorf("lag: got %v seconds, want a few", lag)
			}
			h := sample(t, fams, "comptoir_central_request_duration_seconds",
				map[string]string{"route": "POST /v1/registers/{register}/events", "code": "200"})
			if got := h.GetHistogram().GetSampleCount(); got != 4 {
				t.Errorf("acknowledged pushes timed: got %d, want 4", got)
			}
			h = sample(t, fams, "comptoir_central_request_duration_seconds",
				map[string]string{"route": "POST /v1/registers/{register}/events", "code": "409"})
			if got := h.GetHistogram().GetSampleCount(); got != 2 {
				t.Errorf("refused pushes timed: got %d, want 2", got)
			}
			// No label carries a member or a path: unknown paths share one series.
			s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, base+"/no/such/0400001000014", nil))
			fams = scrape(t, s)
			sample(t, fams, "comptoir_central_request_duration_seconds", map[string]string{"route": "unmatched", "code": "404"})
		})
	}
}

// TestMetrics_TwoServers builds two servers in one process: each has its own registry, so that
// neither panics on registration nor counts the other's batches.
func TestMetrics_TwoServers(t *testing.T) {
	a, b := newServer(t, newBoltCentral), newServer(t, newBoltCentral)
	wantAcked(t, do(t, a, push("R1", tokR1, batchBody(t, sales(1, 2)))), 2)
	if fam := scrape(t, b)["comptoir_central_batches_total"]; fam != nil && len(fam.GetMetric()) > 0 {
		t.Fatalf("the second server counts the first's batches: %v", fam)
	}
	if got := value(sample(t, scrape(t, a), "comptoir_central_batches_total", map[string]string{"register": "R1"})); got != 1 {
		t.Fatalf("batches: got %v, want 1", got)
	}
}
