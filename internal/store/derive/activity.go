package derive

import (
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/portname"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// NewStats is an empty period with every category key present.
func NewStats(from, to time.Time) *activity.Stats {
	s := &activity.Stats{From: from, To: to, Categories: map[string]int64{}}
	for _, k := range taxonomy.CategoryKeys() {
		s.Categories[k] = 0
	}
	s.TopTCPPorts, s.TopUDPPorts = []activity.PortCount{}, []activity.PortCount{}
	s.ICMPTypes, s.CGIPaths, s.Causes = []activity.ICMPCount{}, []activity.PathCount{}, []activity.CauseCount{}
	return s
}

// AddCategory counts n reports under key (other when the key is unknown), decided of them
// carrying an analyst's decision.
func AddCategory(s *activity.Stats, key string, n, decided int64) {
	s.Categories[Category(key)] += n
	s.Total += n
	s.Decided += decided
}

// AddPort appends a port of a ranking with its service name.
func AddPort(s *activity.Stats, protocol string, port int, n int64) {
	pc := activity.PortCount{Port: port, Service: portname.Port(protocol, port), Count: n}
	if protocol == "udp" {
		s.TopUDPPorts = append(s.TopUDPPorts, pc)
	} else {
		s.TopTCPPorts = append(s.TopTCPPorts, pc)
	}
}

// AddICMP appends an ICMP type of the ranking with its name.
func AddICMP(s *activity.Stats, t int, n int64) {
	s.ICMPTypes = append(s.ICMPTypes, activity.ICMPCount{Type: t, Name: portname.ICMPType(t), Count: n})
}
